/**
 * GET /api/console/assets/{name}: the console's stylesheet and script. No app
 * role: they hold no data (the platform still asks for sign-in in Azure).
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { CONSOLE_ASSETS } from "../../shared/console/assets.js";
import { CONTENT_SECURITY_POLICY } from "../../shared/console/security.js";

export async function consoleAsset(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const asset = Object.hasOwn(CONSOLE_ASSETS, request.params["name"] ?? "") ? CONSOLE_ASSETS[request.params["name"]!] : undefined;
  const common = { "x-content-type-options": "nosniff", "content-security-policy": CONTENT_SECURITY_POLICY };
  if (asset === undefined) return { status: 404, headers: { ...common, "content-type": "text/plain; charset=utf-8" }, body: "not found" };
  return { status: 200, headers: { ...common, "content-type": asset.contentType, "cache-control": "private, max-age=300" }, body: asset.body };
}
