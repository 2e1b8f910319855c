import { app } from "@azure/functions";
import { describe, expect, it, vi } from "vitest";

describe("HTTP API registration", () => {
  it("registers every route anonymous at the host (App Service Authentication and the app roles guard them), without reading any setting at import", async () => {
    const registered: Array<{ name: string; route?: string; methods?: string[]; authLevel?: string }> = [];
    const spy = vi.spyOn(app, "http").mockImplementation((name, options) => {
      registered.push({ name, route: options.route, methods: options.methods as string[], authLevel: options.authLevel });
    });
    const saved = { ...process.env };
    delete process.env["FINDINGS_STORAGE_CONNECTION_STRING"];
    delete process.env["FINDINGS_STORAGE_ACCOUNT_URL"];
    try {
      await import("../../../functions/http/index.js");
    } finally {
      process.env = saved;
      spy.mockRestore();
    }
    expect(registered.map((r) => `${r.methods?.join(",")} ${r.route}`).sort()).toEqual([
      "DELETE suppressions/{id}",
      "GET findings",
      "GET findings/{id}",
      "GET scans",
      "GET scans/{id}",
      "GET suppression-audit",
      "GET suppressions",
      "POST digests/{scanId}/resend",
      "POST suppressions",
    ]);
    // Function keys stay only for what the platform itself calls (Durable's webhooks); people and SIEMs sign in with Entra ID.
    expect(new Set(registered.map((r) => r.authLevel))).toEqual(new Set(["anonymous"]));
  });
});
