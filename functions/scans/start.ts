/**
 * POST /api/scans: an on-demand scan of the configured scope, or of some
 * subscriptions or clusters within it. Needs the app role Scans.Start.
 * Answers 202 with the scan's id and its status URL on this API (never the
 * Durable management URLs: in a real host they carry the system key, which
 * lets anyone holding them terminate, purge or start orchestrations); 400
 * naming every invalid or out-of-scope field; 409 with the running scan's id
 * and status URL when a scan of the same scope has not finished (nothing new
 * is started); 429 with Retry-After past SCAN_START_LIMIT_PER_HOUR.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { APP_ROLES, requireRole } from "../../shared/auth/index.js";
import { loadConfig } from "../../shared/config/index.js";
import { newScanId } from "../../shared/engine/scan-id.js";
import type { FleetScanInput } from "../durable/model.js";
import { FLEET_SCAN_ORCHESTRATOR } from "../durable/names.js";
import { InvalidFieldsError, readJsonBody, type FieldProblem } from "../http/body.js";
import { spendBudget } from "../http/rate-limit.js";
import { respond } from "../http/respond.js";
import { findingsStore } from "../http/store-instance.js";
import { errorText, scanLog } from "../runtime/telemetry.js";
import { activeScanOfScope } from "./scan-instances.js";
import { parseScanRequest } from "./scan-request.js";
import { outOfScope } from "./scope-check.js";

export const START_SCAN_FUNCTION = "scans-start";

export async function startScan(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    requireRole(request, APP_ROLES.startScans);
    const config = loadConfig(process.env);
    const parsed = parseScanRequest(await readJsonBody(request), config.scanner);
    if (!parsed.ok) throw invalid(parsed.problems);
    const { scope, sendDigest } = parsed.request;
    const outside = await outOfScope(scope, config.scanner, findingsStore);
    if (outside.length > 0) throw invalid(outside);

    const input: FleetScanInput = { trigger: "http", scope, sendDigest };
    const client = df.getClient(context);
    // A request for a scope already being scanned starts nothing, so it spends no budget.
    const running = await activeScanOfScope(client, input);
    if (running !== undefined) {
      const statusUrl = scanStatusUrl(request, running.instanceId);
      scanLog(context, { scanId: running.instanceId, trigger: "http" }).info("scan.already-running", { status: running.runtimeStatus });
      return {
        status: 409,
        headers: { Location: statusUrl, "Retry-After": "10" },
        jsonBody: {
          error: { code: "scan-running", message: `Scan ${running.instanceId} of the same scope is ${running.runtimeStatus.toLowerCase()}; poll it instead of starting another.` },
          id: running.instanceId,
          statusUrl,
        },
      };
    }

    await spendBudget("startScan", config.limits.scanStartsPerHour);
    const scanId = newScanId(new Date());
    const log = scanLog(context, { scanId, trigger: "http" });
    try {
      await client.startNew(FLEET_SCAN_ORCHESTRATOR, { instanceId: scanId, input });
    } catch (error) {
      log.error("scan.start-failed", { error: errorText(error) });
      throw error;
    }
    log.info("scan.started", {
      subscriptions: scope.subscriptions.length,
      managementGroups: scope.managementGroups.length,
      clusters: scope.clusters.length,
      sendDigest,
    });
    const statusUrl = scanStatusUrl(request, scanId);
    return { status: 202, headers: { Location: statusUrl, "Retry-After": "10" }, jsonBody: { id: scanId, statusUrl } };
  });
}

/**
 * GET /api/scans/{id} on the host the caller reached: origin and path only, so
 * nothing of the request's query (a function key, say) is ever echoed.
 */
export function scanStatusUrl(request: HttpRequest, scanId: string): string {
  return `${new URL(request.url).origin}/api/scans/${encodeURIComponent(scanId)}`;
}

function invalid(problems: FieldProblem[]): InvalidFieldsError {
  return new InvalidFieldsError(problems as [FieldProblem, ...FieldProblem[]]);
}

// Anonymous to the Functions host: App Service Authentication and the role check above guard it.
app.http(START_SCAN_FUNCTION, {
  methods: ["POST"],
  authLevel: "anonymous",
  route: "scans",
  extraInputs: [df.input.durableClient()],
  handler: startScan,
});
