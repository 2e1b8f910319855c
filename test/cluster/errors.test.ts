import { describe, expect, it } from "vitest";
import { kindOfTransportError, kubernetesError, scrub } from "../../shared/cluster/errors.js";
import { KubernetesHttpError } from "../../shared/cluster/kube-http.js";

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDpvcmRlcnMifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
const MB = 1024 * 1024;

describe("scrub", () => {
  it("removes JWTs, bearer values and long hex tokens from messages", () => {
    const message = scrub(
      "request with Authorization: Bearer abc.def failed for eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln and token 0123456789abcdef0123456789abcdef0123456789abcdef",
    );
    expect(message).toBe("request with Authorization: Bearer [redacted] failed for [redacted token] and token [redacted]");
  });

  it("keeps a bounded, scrubbed message of a 15 MB error body", () => {
    // The shapes that made scrubbing quadratic: BEGIN lines without END, "eyJ" runs without dots, then more secrets.
    const body = [
      `upstream proxy error for Authorization: Bearer ${JWT}, key -----BEGIN RSA PRIVATE KEY----- MIIEowIBAAKCAQEA7`,
      "-----BEGIN CERTIFICATE----- ".repeat(5 * MB / 28),
      "eyJ".repeat(5 * MB / 3),
      `tail ${JWT} `.repeat(Math.ceil((5 * MB) / (JWT.length + 6))),
    ].join(" ");
    expect(body.length).toBeGreaterThan(15 * 1000 * 1000);

    const message = scrub(body);

    expect(message.length).toBeLessThanOrEqual(403);
    expect(message).toMatch(/^upstream proxy error for Authorization: Bearer \[redacted\], key \[redacted pem\]/);
    expect(message).not.toContain("eyJ");
    expect(message).not.toContain("MIIEow");
  });

  it("redacts a PEM block whose END line is missing, to the end", () => {
    expect(scrub("bad key -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5owlA")).toBe("bad key [redacted pem]");
  });

  it("drops what is left of a token the cut went through", () => {
    const message = scrub(`${"x ".repeat(200)}${"ab".repeat(9000)}`);
    expect(message).not.toContain("ab");
    expect(message.endsWith("...")).toBe(true);
  });

  it("gives a Kubernetes error with a huge body a bounded message", () => {
    const body = JSON.stringify({ kind: "Status", message: `token ${JWT} refused; ${"-----BEGIN CERTIFICATE----- ".repeat(15 * MB / 28)}`, code: 500 });
    const error = kubernetesError(new KubernetesHttpError(500, body, {}), { resource: "pods", verb: "list", group: "" });
    expect(error).toMatchObject({ kind: "error", httpStatus: 500, message: "token [redacted token] refused; [redacted pem]..." });
  });
});

describe("kindOfTransportError", () => {
  it("tells unreachable servers from timeouts", () => {
    expect(kindOfTransportError(Object.assign(new Error("connect ECONNREFUSED"), { name: "FetchError", code: "ECONNREFUSED", type: "system" }))).toBe("unreachable");
    expect(kindOfTransportError(Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }))).toBe("unreachable");
    expect(kindOfTransportError(Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }))).toBe("unreachable");
    expect(kindOfTransportError(Object.assign(new Error("The operation was aborted."), { name: "AbortError", type: "aborted" }))).toBe("timeout");
    expect(kindOfTransportError(new Error("something else"))).toBe("error");
  });
});
