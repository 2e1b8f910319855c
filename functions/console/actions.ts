/**
 * The console's actions, each a form POST: suppress a finding, lift a
 * suppression, start a scan, resend a digest. Each checks, in order: the
 * caller's app role (401/403), that the browser says the form comes from this
 * site, and the CSRF token bound to the caller (403). Then it hands a JSON
 * request to the API's own handler, which checks the role again and applies
 * every rule it applies to API callers (governance of suppressions, scope of
 * scans, hourly budgets). Success redirects (303) to the page that shows the
 * result; a refusal is the API's status and reason as a page.
 */
import azfn, { type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { APP_ROLES, CLIENT_PRINCIPAL_HEADER, CLIENT_PRINCIPAL_IDP_HEADER, requireRole, type AppRole, type Caller } from "../../shared/auth/index.js";
import { InvalidParameterError } from "../../shared/store/index.js";
import { suppressionScopes, SUPPRESSION_SCOPES } from "../../shared/console/finding-page-view.js";
import { CONSOLE_LINKS } from "../../shared/console/paths.js";
import { checkSameOrigin, CSRF_FIELD, verifyCsrfToken } from "../../shared/console/security.js";
import { RESULT_PAGE } from "../../shared/console/templates.js";
import { pageChrome } from "../../shared/console/chrome.js";
import { resendDigests } from "../http/digests.js";
import { notFound, routeParameter } from "../http/respond.js";
import { findingsStore } from "../http/store-instance.js";
import { createSuppression, deleteSuppression } from "../http/suppressions.js";
import { startScan } from "../scans/start.js";
import { csrfKey } from "./csrf-key-instance.js";
import { forgetOverview } from "./overview-data.js";
import { readForm, render, respondPage, seeOther } from "./page.js";

type FormField = (name: string) => string | undefined;

/** The role, the browser's origin signals, the token; then the form's fields. */
async function acceptForm(request: HttpRequest, role: AppRole): Promise<{ caller: Caller; field: FormField }> {
  const caller = requireRole(request, role);
  checkSameOrigin(request);
  const field = await readForm(request);
  verifyCsrfToken(field(CSRF_FIELD), caller, new Date(), await csrfKey());
  return { caller, field };
}

function required(field: FormField, name: string, max = 2000): string {
  const value = field(name)?.trim();
  if (value === undefined || value === "") throw new InvalidParameterError(name, "is required");
  if (value.length > max) throw new InvalidParameterError(name, `must be at most ${max} characters`);
  return value;
}

/**
 * The same request as JSON to an API handler, as the same caller: the
 * platform's principal headers are passed on (a development principal comes
 * from the environment either way).
 */
function apiRequest(request: HttpRequest, method: string, path: string, body: unknown, params: Record<string, string> = {}): HttpRequest {
  const headers: Record<string, string> = { "content-type": "application/json" };
  for (const name of [CLIENT_PRINCIPAL_HEADER, CLIENT_PRINCIPAL_IDP_HEADER]) {
    const value = request.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return new azfn.HttpRequest({ method, url: new URL(path, request.url).toString(), headers, params, body: { string: JSON.stringify(body) } });
}

const FINDING_ID = /^[A-Za-z0-9_-]{1,128}$/;

export async function suppressAction(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respondPage(request, context, async () => {
    const { caller, field } = await acceptForm(request, APP_ROLES.writeSuppressions);
    const id = routeParameter(request, "id");
    const found = await (await findingsStore()).getFinding(id);
    if (found === undefined) return notFound(`Finding ${id.slice(0, 80)}`);
    const scope = required(field, "scope", 40);
    // "fleet" is let through to the API whoever asks, so that without Suppressions.FleetWide the answer is the API's 403 naming the role.
    const offered = suppressionScopes(found.finding, caller.roles.has(APP_ROLES.suppressFleetWide) || scope === "fleet");
    const chosen = offered.find((s) => s.value === scope);
    if (chosen === undefined) throw new InvalidParameterError("scope", `must be one of ${offered.map((s) => s.value).join(", ") || "(none for this finding)"} (known: ${SUPPRESSION_SCOPES.join(", ")})`);
    const body = { checkId: found.finding.checkId, ...chosen.pattern, reason: required(field, "reason"), expiresAt: required(field, "expiresAt", 40) };
    const answer = await createSuppression(apiRequest(request, "POST", "/api/suppressions", body), context);
    if ((answer.status ?? 200) >= 300) return answer;
    forgetOverview();
    return seeOther(`${CONSOLE_LINKS.finding(id)}?done=suppressed`);
  });
}

export async function liftAction(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respondPage(request, context, async () => {
    const { field } = await acceptForm(request, APP_ROLES.writeSuppressions);
    const id = routeParameter(request, "id");
    const finding = required(field, "finding", 128);
    if (!FINDING_ID.test(finding)) throw new InvalidParameterError("finding", "is not a finding id");
    const answer = await deleteSuppression(apiRequest(request, "DELETE", `/api/suppressions/${encodeURIComponent(id)}`, { reason: required(field, "reason") }, { id }), context);
    if ((answer.status ?? 200) >= 300) return answer;
    forgetOverview();
    return seeOther(`${CONSOLE_LINKS.finding(finding)}?done=lifted`);
  });
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function startScanAction(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respondPage(request, context, async () => {
    const { field } = await acceptForm(request, APP_ROLES.startScans);
    const target = required(field, "target", 400);
    const body = GUID.test(target) ? { subscriptions: [target] } : { clusters: [target] };
    if (!context.options.extraInputs.some((input) => input.type === "durableClient")) {
      // `wiscan serve` has no Durable Functions host to run a fleet scan in.
      return { status: 503, jsonBody: { error: { code: "not-configured", message: "Starting a scan needs the Functions app (Durable Functions); locally, run `npm run demo` again." } } };
    }
    const answer = await startScan(apiRequest(request, "POST", "/api/scans", body), context);
    const started = answer.jsonBody as { id?: unknown } | undefined;
    if (answer.status !== 202 || typeof started?.id !== "string") return answer;
    return seeOther(CONSOLE_LINKS.scan(started.id));
  });
}

export async function resendAction(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respondPage(request, context, async () => {
    const { caller, field } = await acceptForm(request, APP_ROLES.sendDigests);
    const scanId = routeParameter(request, "scanId");
    const all = field("all");
    if (all !== undefined && all !== "true") throw new InvalidParameterError("all", "must be true when given");
    const path = `/api/digests/${encodeURIComponent(scanId)}/resend${all === "true" ? "?all=true" : ""}`;
    const answer = await resendDigests(apiRequest(request, "POST", path, {}, { scanId }), context);
    if (answer.status !== 200) return answer;
    const report = answer.jsonBody as { digests?: Array<{ audienceId?: string; outcome?: string }> };
    const digests = report.digests ?? [];
    return render(RESULT_PAGE, {
      page: pageChrome("Digest resent", "scans", caller),
      heading: "Digest resent",
      message: digests.length === 0 ? "Nothing to send: every digest of this scan was delivered (tick “every digest” to send them again)." : `${digests.length} digest${digests.length === 1 ? "" : "s"} handled.`,
      lines: digests.map((d) => `${String(d.audienceId ?? "?").slice(0, 120)}: ${String(d.outcome ?? "?").slice(0, 40)}`),
      back: { href: CONSOLE_LINKS.scan(scanId), label: "Back to the scan" },
    });
  });
}
