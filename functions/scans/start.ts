/**
 * POST /api/scans: an on-demand scan of the configured scope, or of some
 * subscriptions or clusters. Answers 202 with the Durable status URLs; 400
 * naming every invalid field; 409 with the running scan's id and status URLs
 * when a scan of the same scope has not finished yet (nothing new is started,
 * so the caller polls that one).
 */
import { app, type HttpRequest, type HttpResponse, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { ConfigError, loadConfig } from "../../shared/config/index.js";
import { newScanId } from "../../shared/engine/scan-id.js";
import type { FleetScanInput } from "../durable/model.js";
import { FLEET_SCAN_ORCHESTRATOR } from "../durable/names.js";
import { errorText, scanLog } from "../runtime/telemetry.js";
import { activeScanOfScope } from "./scan-instances.js";
import { parseScanRequest } from "./scan-request.js";

export const START_SCAN_FUNCTION = "scans-start";
/** A scan request is a few ids; anything much larger is a mistake or an attack. */
export const MAX_BODY_BYTES = 256 * 1024;

export async function startScan(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit | HttpResponse> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    context.error(error.message);
    return { status: 503, jsonBody: { error: { code: "not-configured", message: "The scanner's settings are invalid; see the function app's logs." } } };
  }

  const body = await readJsonBody(request);
  if (!body.ok) return badRequest([body.problem]);
  const parsed = parseScanRequest(body.value, config.scanner);
  if (!parsed.ok) return badRequest(parsed.problems);

  const input: FleetScanInput = { trigger: "http", scope: parsed.request.scope, sendDigest: parsed.request.sendDigest };
  const client = df.getClient(context);
  const running = await activeScanOfScope(client, input);
  if (running !== undefined) {
    const links = client.createHttpManagementPayload(running.instanceId);
    scanLog(context, { scanId: running.instanceId, trigger: "http" }).info("scan.already-running", { status: running.runtimeStatus });
    return {
      status: 409,
      headers: { Location: links.statusQueryGetUri, "Retry-After": "10" },
      jsonBody: {
        error: { code: "scan-running", message: `Scan ${running.instanceId} of the same scope is ${running.runtimeStatus.toLowerCase()}; poll it instead of starting another.` },
        ...links,
      },
    };
  }

  const scanId = newScanId(new Date());
  const log = scanLog(context, { scanId, trigger: "http" });
  try {
    await client.startNew(FLEET_SCAN_ORCHESTRATOR, { instanceId: scanId, input });
  } catch (error) {
    log.error("scan.start-failed", { error: errorText(error) });
    throw error;
  }
  log.info("scan.started", {
    subscriptions: input.scope.subscriptions.length,
    managementGroups: input.scope.managementGroups.length,
    clusters: input.scope.clusters.length,
    sendDigest: input.sendDigest,
  });
  return client.createCheckStatusResponse(request, scanId);
}

type BodyResult = { ok: true; value: unknown } | { ok: false; problem: string };

async function readJsonBody(request: HttpRequest): Promise<BodyResult> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) return { ok: false, problem: `body: larger than ${MAX_BODY_BYTES} bytes` };
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return { ok: false, problem: `body: larger than ${MAX_BODY_BYTES} bytes` };
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, problem: "body: is not valid JSON" };
  }
}

function badRequest(problems: string[]): HttpResponseInit {
  return { status: 400, jsonBody: { error: { code: "invalid-request", message: problems.join("; "), problems } } };
}

app.http(START_SCAN_FUNCTION, {
  methods: ["POST"],
  authLevel: "function",
  route: "scans",
  extraInputs: [df.input.durableClient()],
  handler: startScan,
});
