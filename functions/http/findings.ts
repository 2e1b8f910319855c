/**
 * GET /api/findings and GET /api/findings/{id}: the stored findings for
 * security teams, filtered, paged, as JSON, or as CSV, SARIF or OCSF through
 * the report writers (shared/report/writers.ts), one page per request.
 */
import { type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { CHECKS } from "../../shared/checks/index.js";
import { TOOL_VERSION } from "../../shared/version.js";
import { WRITERS, withSubscriptionName } from "../../shared/report/writers.js";
import {
  FINDING_QUERY_PARAMETERS,
  knownSubscriptionNames,
  PAGE_PARAMETERS,
  parseFindingQuery,
  parseFormat,
  parsePageRequest,
} from "../../shared/store/index.js";
import { notFound, queryParameters, respond, routeParameter } from "./respond.js";
import { findingsStore } from "./store-instance.js";
import { APP_ROLES } from "../../shared/auth/index.js";
import { registerApiRoutes, type ApiRoute } from "./routes.js";

/** Response header carrying the continuation token of a CSV, SARIF or OCSF page (their bodies have no room for it). */
export const CONTINUATION_HEADER = "x-continuation-token";

export async function listFindings(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    const get = queryParameters(request, [...FINDING_QUERY_PARAMETERS, ...PAGE_PARAMETERS, "format"]);
    const query = parseFindingQuery(get);
    const page = parsePageRequest(get);
    const format = parseFormat(get);
    const store = await findingsStore();
    const [result, subscriptionNames] = await Promise.all([store.listFindings(query, page), knownSubscriptionNames(store)]);
    const token = result.continuationToken;
    if (format !== "json") {
      const writer = WRITERS[format];
      return {
        status: 200,
        headers: {
          "content-type": writer.mediaType,
          "content-disposition": `attachment; filename="wiscan-findings.${writer.extension}"`,
          ...(token !== undefined && { [CONTINUATION_HEADER]: token }),
        },
        body: writer.write({ findings: result.items, subscriptionNames, checks: CHECKS, toolVersion: TOOL_VERSION }),
      };
    }
    const items = result.items.map((f) => withSubscriptionName(f, subscriptionNames));
    return { status: 200, jsonBody: { items, ...(token !== undefined && { continuationToken: token }) } };
  });
}

export async function getFinding(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    queryParameters(request, []);
    const id = routeParameter(request, "id");
    const store = await findingsStore();
    const [found, subscriptionNames] = await Promise.all([store.getFinding(id), knownSubscriptionNames(store)]);
    return found ? { status: 200, jsonBody: { ...found, finding: withSubscriptionName(found.finding, subscriptionNames) } } : notFound(`Finding ${id}`);
  });
}

export const FINDING_ROUTES: readonly ApiRoute[] = [
  { name: "findings-list", methods: ["GET"], route: "findings", role: APP_ROLES.readFindings, handler: listFindings },
  { name: "findings-get", methods: ["GET"], route: "findings/{id}", role: APP_ROLES.readFindings, handler: getFinding },
];
registerApiRoutes(FINDING_ROUTES);
