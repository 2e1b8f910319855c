import { createServer, type Agent, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiPath, apiServerAgent, KubernetesHttpError, MAX_ERROR_BODY_BYTES, ResponseTooLargeError, send } from "../../shared/cluster/kube-http.js";
import { KubeSession } from "../../shared/cluster/kube-session.js";
import { generateLoopbackTls } from "../../simulator/tls.js";

describe("apiPath", () => {
  it("spells the v1 URL of core and group resources, cluster-wide and namespaced", () => {
    expect(apiPath({ resource: "pods", group: "" })).toBe("/api/v1/pods");
    expect(apiPath({ resource: "deployments", group: "apps", namespace: "kube-system" }, "azure-wi-webhook-controller-manager")).toBe(
      "/apis/apps/v1/namespaces/kube-system/deployments/azure-wi-webhook-controller-manager",
    );
    expect(apiPath({ resource: "mutatingwebhookconfigurations", group: "admissionregistration.k8s.io" })).toBe("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations");
  });

  it("puts the object's name between a resource and its subresource, and escapes every segment", () => {
    expect(apiPath({ resource: "pods/log", group: "", namespace: "shop" }, "orders-1", "log")).toBe("/api/v1/namespaces/shop/pods/orders-1/log");
    expect(apiPath({ resource: "serviceaccounts/token", group: "", namespace: "a/b" }, "x?y#z", "token")).toBe("/api/v1/namespaces/a%2Fb/serviceaccounts/x%3Fy%23z/token");
  });
});

const HUGE_ERROR_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

describe("send", () => {
  let server: Server;
  let origin: string;
  let agent: Agent;
  let tlsCaPem: string;

  beforeAll(async () => {
    const tls = generateLoopbackTls();
    tlsCaPem = tls.caPem;
    server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      if (req.url?.endsWith("/big")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(Buffer.alloc(64 * 1024, "a"));
      } else if (req.url?.endsWith("/throttled")) {
        res.writeHead(429, { "content-type": "application/json", "retry-after": "2" });
        res.end(JSON.stringify({ kind: "Status", message: "too many requests", code: 429 }));
      } else if (req.url?.includes("/broken")) {
        // A value the scanner must never repeat, next to a syntax error V8 would quote.
        res.writeHead(200, { "content-type": "application/json" });
        res.end(req.url.includes("list") ? '{"kind":"PodList","items":[{"env":[{"name":"DB_PASSWORD","value":"hunter2-correct-horse"} oops]}]}' : '{"status":{"token":"hunter2-correct-horse" oops}}');
      } else if (req.url?.endsWith("/huge-error")) {
        // A proxy's error page of 15 MB that quotes the request's token first.
        res.writeHead(400, { "content-type": "text/plain" });
        res.write(`bad request, Authorization: Bearer ${HUGE_ERROR_TOKEN} `);
        res.end("-----BEGIN CERTIFICATE----- eyJ".repeat((15 * 1024 * 1024) / 31));
      } else if (req.url?.endsWith("/slow")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"items":[');
        // the rest never comes
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ path: req.url, authorization: req.headers.authorization ?? null }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `https://localhost:${(server.address() as AddressInfo).port}`;
    agent = apiServerAgent({ caData: Buffer.from(tls.caPem).toString("base64") }, 2);
  });

  afterAll(async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const call = (path: string, extra: Partial<Parameters<typeof send>[0]> = {}) =>
    send({ method: "GET", server: `${origin}/clusters/one/`, path, headers: {}, agent, signal: AbortSignal.timeout(5_000), maxBytes: 1024 * 1024, ...extra });

  it("keeps the server's path prefix and the query, and trusts only the cluster's CA", async () => {
    const { text } = await call("/api/v1/pods", { query: { limit: 500, continue: undefined, labelSelector: "a in (b,c)" } });
    expect(JSON.parse(text)).toMatchObject({ path: "/clusters/one/api/v1/pods?limit=500&labelSelector=a+in+%28b%2Cc%29" });
    const stranger = apiServerAgent({ caData: Buffer.from(generateLoopbackTls().caPem).toString("base64") }, 1);
    await expect(call("/api/v1/pods", { agent: stranger })).rejects.toMatchObject({ code: expect.stringMatching(/CERT|SIGNATURE|SELF_SIGNED|UNABLE/) });
    stranger.destroy();
  });

  it("throws an answer outside 2xx with its status, body and Retry-After", async () => {
    const error = await call("/throttled").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubernetesHttpError);
    expect(error).toMatchObject({ code: 429, headers: { "retry-after": "2" } });
    expect(JSON.parse((error as KubernetesHttpError).body)).toMatchObject({ message: "too many requests" });
  });

  it("stops reading an answer larger than it allows", async () => {
    await expect(call("/big", { maxBytes: 16 * 1024 })).rejects.toBeInstanceOf(ResponseTooLargeError);
    expect((await call("/big", { maxBytes: 128 * 1024 })).text).toHaveLength(64 * 1024);
  });

  it("reports a deadline that passes while the body streams in as a timeout, not as a dropped connection", async () => {
    const error = await call("/slow", { signal: AbortSignal.timeout(300) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "TimeoutError" });
  });

  it("reports an answer that is not JSON without quoting any of it", async () => {
    const access = { server: origin, caData: Buffer.from(tlsCaPem).toString("base64"), authentication: "cluster-user" as const };
    const session = new KubeSession(access, { requestTimeoutMs: 5_000, concurrency: 1, retries: 0 });
    const target = { resource: "pods", verb: "list", group: "" };
    const list = await session.call(target, () => session.getList("/broken-list", {}, () => undefined));
    const object = await session.call(target, () => session.getJson("/broken-object"));
    session.close();
    for (const result of [list, object]) {
      expect(result.ok).toBe(false);
      expect(JSON.stringify(result)).not.toContain("hunter2");
      expect(result.ok ? "" : result.error.message).toMatch(/not valid JSON/);
    }
  });

  it("reads an error answer only up to its bound, and reports it bounded and scrubbed", async () => {
    const error = await call("/huge-error", { maxBytes: 64 * 1024 * 1024 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubernetesHttpError);
    expect((error as KubernetesHttpError).body.length).toBeLessThanOrEqual(MAX_ERROR_BODY_BYTES);

    const access = { server: origin, caData: Buffer.from(tlsCaPem).toString("base64"), authentication: "cluster-user" as const };
    const session = new KubeSession(access, { requestTimeoutMs: 5_000, concurrency: 1, retries: 0 });
    const result = await session.call({ resource: "pods", verb: "list", group: "" }, () => session.getList("/huge-error", {}, () => undefined));
    session.close();
    expect(result).toMatchObject({ ok: false, error: { kind: "error", httpStatus: 400, message: "bad request, Authorization: Bearer [redacted] [redacted pem]..." } });
  });

  it("hands a successful body to the sink instead of returning it", async () => {
    const chunks: Buffer[] = [];
    const { text } = await send({ method: "GET", server: origin, path: "/big", headers: {}, agent, signal: AbortSignal.timeout(5_000), maxBytes: 1024 * 1024 }, (chunk) => chunks.push(chunk));
    expect(text).toBe("");
    expect(Buffer.concat(chunks)).toHaveLength(64 * 1024);
  });
});
