import { app } from "@azure/functions";
import { describe, expect, it, vi } from "vitest";

describe("console registration", () => {
  it("registers the pages, actions and assets anonymous at the host (App Service Authentication and the app roles guard them), with the durable client only where a scan is started or followed, reading no setting at import", async () => {
    const registered: Array<{ route?: string; methods?: string[]; authLevel?: string; inputs: string[] }> = [];
    const spy = vi.spyOn(app, "http").mockImplementation((_name, options) => {
      registered.push({ route: options.route, methods: options.methods as string[], authLevel: options.authLevel, inputs: (options.extraInputs ?? []).map((i) => i.type) });
    });
    const saved = { ...process.env };
    delete process.env["FINDINGS_STORAGE_CONNECTION_STRING"];
    delete process.env["FINDINGS_STORAGE_ACCOUNT_URL"];
    try {
      await import("../../../functions/console/index.js");
    } finally {
      process.env = saved;
      spy.mockRestore();
    }
    // Importing the console also imports the API handlers it hands actions to, which register their own routes.
    const consoleRoutes = registered.filter((r) => r.route?.startsWith("console"));
    expect(consoleRoutes.map((r) => `${r.methods?.join(",")} ${r.route}${r.inputs.length > 0 ? ` +${r.inputs.join(",")}` : ""}`).sort()).toEqual([
      "GET console",
      "GET console/assets/{name}",
      "GET console/findings",
      "GET console/findings/{id}",
      "GET console/scans",
      "GET console/scans/{id} +durableClient",
      "POST console/digests/{scanId}/resend",
      "POST console/findings/{id}/suppress",
      "POST console/scans +durableClient",
      "POST console/suppressions/{id}/lift",
    ]);
    expect(new Set(consoleRoutes.map((r) => r.authLevel))).toEqual(new Set(["anonymous"]));
  });
});
