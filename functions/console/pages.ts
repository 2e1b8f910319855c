/**
 * The console's read-only pages (Findings.Read): store → view builder →
 * render. Forms on them carry a CSRF token for the signed-in caller; the
 * actions they post to are in ./actions.ts.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { APP_ROLES, requireRole } from "../../shared/auth/index.js";
import { FINDING_QUERY_PARAMETERS, InvalidParameterError, knownSubscriptionNames, PAGE_PARAMETERS, parseFindingQuery, parsePageRequest } from "../../shared/store/index.js";
import { pageChrome, permissionsOf } from "../../shared/console/chrome.js";
import { buildFindingPageView, NOTICES, type Notice } from "../../shared/console/finding-page-view.js";
import { buildFindingsPageView, CONSOLE_SORT_PARAMETER, DEFAULT_CONSOLE_PAGE_SIZE, parseSort } from "../../shared/console/findings-view.js";
import { buildScanPageView, buildScansPageView, type OrchestrationState } from "../../shared/console/scans-view.js";
import { issueCsrfToken } from "../../shared/console/security.js";
import { FINDING_PAGE, FINDINGS_PAGE, OVERVIEW_PAGE, SCAN_PAGE, SCANS_PAGE } from "../../shared/console/templates.js";
import { notFound, queryParameters, routeParameter } from "../http/respond.js";
import { findingsStore } from "../http/store-instance.js";
import { instanceStatus } from "../scans/scan-instances.js";
import { csrfKey } from "./csrf-key-instance.js";
import { overviewFigures } from "./overview-data.js";
import { pageParameters, render, respondPage } from "./page.js";

export async function overviewPage(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respondPage(request, context, async () => {
    const caller = requireRole(request, APP_ROLES.readFindings);
    queryParameters(request, []);
    const figures = await overviewFigures(await findingsStore());
    return render(OVERVIEW_PAGE, { ...figures, page: pageChrome("Overview", "overview", caller) });
  });
}

export const FINDINGS_PAGE_PARAMETERS = [...FINDING_QUERY_PARAMETERS, ...PAGE_PARAMETERS, CONSOLE_SORT_PARAMETER] as const;

export async function findingsPage(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respondPage(request, context, async () => {
    const caller = requireRole(request, APP_ROLES.readFindings);
    const { get, given } = pageParameters(request, FINDINGS_PAGE_PARAMETERS);
    const query = parseFindingQuery(get);
    const page = parsePageRequest(get, Number(DEFAULT_CONSOLE_PAGE_SIZE));
    const sort = parseSort(get(CONSOLE_SORT_PARAMETER));
    const store = await findingsStore();
    const [result, subscriptionNames] = await Promise.all([store.listFindings(query, page), knownSubscriptionNames(store)]);
    const view = buildFindingsPageView(pageChrome("Findings", "findings", caller), { given, sort, items: result.items, continuationToken: result.continuationToken, subscriptionNames });
    return render(FINDINGS_PAGE, view);
  });
}

export async function findingPage(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respondPage(request, context, async () => {
    const caller = requireRole(request, APP_ROLES.readFindings);
    const { get } = pageParameters(request, ["done"]);
    const done = get("done");
    if (done !== undefined && !Object.hasOwn(NOTICES, done)) throw new InvalidParameterError("done", `must be one of ${Object.keys(NOTICES).join(", ")}`);
    const id = routeParameter(request, "id");
    const store = await findingsStore();
    const [found, subscriptionNames] = await Promise.all([store.getFinding(id), knownSubscriptionNames(store)]);
    if (found === undefined) return notFound(`Finding ${id.slice(0, 80)}`);
    const now = new Date();
    const view = buildFindingPageView(pageChrome(found.finding.title, "findings", caller), {
      found,
      subscriptionNames,
      permissions: permissionsOf(caller),
      csrf: issueCsrfToken(caller, now, await csrfKey()),
      now,
      maxDays: store.suppressionMaxDays,
      notice: done as Notice | undefined,
    });
    return render(FINDING_PAGE, view);
  });
}

export async function scansPage(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respondPage(request, context, async () => {
    const caller = requireRole(request, APP_ROLES.readFindings);
    const page = parsePageRequest(queryParameters(request, PAGE_PARAMETERS), 20);
    const scans = await (await findingsStore()).listScans(page);
    return render(SCANS_PAGE, buildScansPageView(pageChrome("Scans", "scans", caller), scans, permissionsOf(caller), issueCsrfToken(caller, new Date(), await csrfKey())));
  });
}

const SCAN_ID = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,199}$/;

export async function scanPage(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respondPage(request, context, async () => {
    const caller = requireRole(request, APP_ROLES.readFindings);
    queryParameters(request, []);
    const id = routeParameter(request, "id");
    if (!SCAN_ID.test(id) || id.includes(":")) throw new InvalidParameterError("id", "is not a scan id");
    const [stored, orchestration] = await Promise.all([(await findingsStore()).getScan(id), orchestrationOf(context, id)]);
    if (stored === undefined && orchestration === undefined) return notFound(`Scan ${id}`);
    const view = buildScanPageView(pageChrome(`Scan ${id}`, "scans", caller), id, stored, orchestration, permissionsOf(caller), issueCsrfToken(caller, new Date(), await csrfKey()));
    return render(SCAN_PAGE, view);
  });
}

/**
 * The orchestration's state of a scan, when this host runs Durable Functions
 * (the route has the durable client input); `wiscan serve` has none, and shows
 * the store's view only.
 */
async function orchestrationOf(context: InvocationContext, id: string): Promise<OrchestrationState | undefined> {
  if (!context.options.extraInputs.some((input) => input.type === "durableClient")) return undefined;
  const status = await instanceStatus(df.getClient(context), id);
  if (status === undefined || status.name === undefined) return undefined;
  const progress = status.customStatus;
  return { runtimeStatus: String(status.runtimeStatus), progress: progress === undefined || progress === null ? undefined : JSON.stringify(progress) };
}
