/**
 * GET /api/suppression-audit: the suppression audit log (created, lifted,
 * expired; who, when, why, what it matched), oldest first per suppression,
 * paged. Findings.Read, as GET /api/suppressions, which already shows who
 * created and lifted each suppression and why (docs/permissions.md).
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { APP_ROLES } from "../../shared/auth/index.js";
import { InvalidParameterError, PAGE_PARAMETERS, parsePageRequest } from "../../shared/store/index.js";
import { queryParameters, respond } from "./respond.js";
import { registerApiRoutes, type ApiRoute } from "./routes.js";
import { findingsStore } from "./store-instance.js";

/** Entries per page unless pageSize says otherwise (at most the API's MAX_PAGE_SIZE). */
export const DEFAULT_AUDIT_PAGE_SIZE = 100;
const SUPPRESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function listSuppressionAudit(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    const get = queryParameters(request, ["suppression", ...PAGE_PARAMETERS]);
    const suppression = get("suppression");
    if (suppression !== undefined && !SUPPRESSION_ID.test(suppression)) throw new InvalidParameterError("suppression", "must be a suppression id (a GUID, as GET /api/suppressions lists them)");
    const page = parsePageRequest(get, DEFAULT_AUDIT_PAGE_SIZE);
    const result = await (await findingsStore()).suppressionAuditPage(page, suppression);
    const token = result.continuationToken;
    return { status: 200, jsonBody: { items: result.items, ...(token !== undefined && { continuationToken: token }) } };
  });
}

export const SUPPRESSION_AUDIT_ROUTES: readonly ApiRoute[] = [
  { name: "suppression-audit", methods: ["GET"], route: "suppression-audit", role: APP_ROLES.readFindings, handler: listSuppressionAudit },
];
registerApiRoutes(SUPPRESSION_AUDIT_ROUTES);
