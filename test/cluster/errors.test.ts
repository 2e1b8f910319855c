import { describe, expect, it } from "vitest";
import { kindOfTransportError, scrub } from "../../shared/cluster/errors.js";

describe("scrub", () => {
  it("removes JWTs, bearer values and long hex tokens from messages", () => {
    const message = scrub(
      "request with Authorization: Bearer abc.def failed for eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln and token 0123456789abcdef0123456789abcdef0123456789abcdef",
    );
    expect(message).toBe("request with Authorization: Bearer [redacted] failed for [redacted token] and token [redacted]");
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
