/**
 * A route that needs an app role before anything else runs. Handlers that
 * need the caller themselves (the author of a suppression, who started a scan)
 * call requireRole directly; read-only routes are wrapped here at registration.
 */
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { requireRole, type AppRole } from "../../shared/auth/index.js";
import { respond } from "./respond.js";

export function guarded(role: AppRole, handler: HttpHandler): HttpHandler {
  return async (request: HttpRequest, context: InvocationContext) => {
    const refused = await respond(context, async (): Promise<HttpResponseInit> => {
      requireRole(request, role);
      return { status: 200 };
    });
    return refused.status === 200 ? handler(request, context) : refused;
  };
}
