/**
 * The API's routes as data: each names the app role it needs, so one place
 * registers them all behind the role check and the access tests walk the same
 * list (test/functions/http/access.test.ts). Anonymous at the host: App
 * Service Authentication signs callers in and the app role decides
 * (docs/permissions.md, "Who may do what"); function keys stay for what the
 * platform itself calls.
 */
import { app, type FunctionInput, type HttpHandler, type HttpMethod } from "@azure/functions";
import type { AppRole } from "../../shared/auth/index.js";
import { guarded } from "./guard.js";

export interface ApiRoute {
  name: string;
  methods: HttpMethod[];
  route: string;
  role: AppRole;
  handler: HttpHandler;
  extraInputs?: FunctionInput[];
}

/** The handler as registered: the role check first, then the route's own handler. */
export function apiHandler(route: ApiRoute): HttpHandler {
  return guarded(route.role, route.handler);
}

export function registerApiRoutes(routes: readonly ApiRoute[]): void {
  for (const r of routes) {
    app.http(r.name, {
      methods: r.methods,
      authLevel: "anonymous",
      route: r.route,
      ...(r.extraInputs !== undefined && { extraInputs: r.extraInputs }),
      handler: apiHandler(r),
    });
  }
}
