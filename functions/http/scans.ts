/** GET /api/scans (newest first) and GET /api/scans/{id} with counts and per-cluster health. */
import { type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { PAGE_PARAMETERS, parsePageRequest } from "../../shared/store/index.js";
import { notFound, queryParameters, respond, routeParameter } from "./respond.js";
import { findingsStore } from "./store-instance.js";
import { scanStatus, SCAN_STATUS_INPUTS } from "../scans/status.js";
import { APP_ROLES } from "../../shared/auth/index.js";
import { registerApiRoutes, type ApiRoute } from "./routes.js";

export const DEFAULT_SCANS_PAGE_SIZE = 20;

export async function listScans(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    const page = parsePageRequest(queryParameters(request, PAGE_PARAMETERS), DEFAULT_SCANS_PAGE_SIZE);
    const result = await (await findingsStore()).listScans(page);
    return { status: 200, jsonBody: result };
  });
}

/** The store's view of one scan; the orchestration status is merged in by the scan-trigger functions. */
export async function getScan(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    queryParameters(request, []);
    const id = routeParameter(request, "id");
    const details = await (await findingsStore()).getScan(id);
    return details ? { status: 200, jsonBody: details } : notFound(`Scan ${id}`);
  });
}

export const SCAN_ROUTES: readonly ApiRoute[] = [
  { name: "scans-list", methods: ["GET"], route: "scans", role: APP_ROLES.readFindings, handler: listScans },
  // The store's view plus the orchestration's status (functions/scans/status.ts).
  { name: "scans-get", methods: ["GET"], route: "scans/{id}", role: APP_ROLES.readFindings, extraInputs: SCAN_STATUS_INPUTS, handler: scanStatus },
];
registerApiRoutes(SCAN_ROUTES);
