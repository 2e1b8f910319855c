/**
 * The console's loopback server (`wiscan serve`, the browser tests) as a
 * browser reaches it: the caller is the session's whatever a request claims,
 * and only requests addressed to loopback are answered.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_ROLES } from "../../../shared/auth/index.js";
import { clientPrincipalHeader, startConsoleServer, type ConsoleServer } from "../../../shared/console/local-server.js";
import { azuriteConnectionString, uniquePrefix } from "../../store/fixtures.js";

let server: ConsoleServer;
beforeAll(async () => {
  server = await startConsoleServer({
    store: { kind: "connection-string", connectionString: azuriteConnectionString(), retentionDays: 90 },
    tablePrefix: uniquePrefix("localsrv"),
    caller: { id: "reader-1", name: "reader@example.com", roles: [APP_ROLES.readFindings] },
  });
});
afterAll(() => server.close());

function get(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port: url.port, path: url.pathname, headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

describe("the console's loopback server", () => {
  it("serves the session's caller, whatever principal a request claims", async () => {
    const host = new URL(server.url).host;
    const forged = clientPrincipalHeader({ id: "admin-1", name: "admin@example.com", roles: Object.values(APP_ROLES) });
    const page = await get(server.url, { host, "x-ms-client-principal": forged });
    expect(page.status).toBe(200);
    expect(page.body).toContain("Signed in as <b>reader@example.com</b>");
    expect(page.body).not.toContain("admin@example.com");
  });

  it("answers only requests addressed to loopback (no DNS rebinding)", async () => {
    const port = new URL(server.url).port;
    expect((await get(server.url, { host: `localhost:${port}` })).status).toBe(200);
    expect((await get(server.url, { host: `attacker.example:${port}` })).status).toBe(421);
  });

  it("sends / to the overview", async () => {
    const root = await fetch(new URL("/", server.url), { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/api/console");
  });
});
