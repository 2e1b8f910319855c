/**
 * GET /api/scans/{id} with the orchestration's side: its runtime status and
 * progress while it runs, its result once done, composed with what the store
 * knows of the scan (counts and per-cluster health, from the query API's
 * store). Written to replace the query API's store-only handler on the same
 * route: the route is registered once, by functions/http/scans.ts, and this
 * handler needs the durable client input added there (see SCAN_STATUS_INPUTS).
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { InvalidParameterError } from "../../shared/store/index.js";
import { notFound, queryParameters, respond, routeParameter } from "../http/respond.js";
import { findingsStore } from "../http/store-instance.js";
import { instanceStatus } from "./scan-instances.js";

/** Extra inputs the route needs for this handler: the durable client. */
export const SCAN_STATUS_INPUTS = [df.input.durableClient()];

const SCAN_ID = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,199}$/;

export async function scanStatus(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    queryParameters(request, []);
    const id = routeParameter(request, "id");
    if (!SCAN_ID.test(id)) throw new InvalidParameterError("id", "is not a scan id");
    const client = df.getClient(context);
    const [orchestration, stored] = await Promise.all([instanceStatus(client, id), (await findingsStore()).getScan(id)]);
    // Sub-orchestrations (ids "<scan>:<n>") are not scans.
    const isScan = orchestration !== undefined && orchestration.name !== undefined && !id.includes(":");
    if (!isScan && stored === undefined) return notFound(`Scan ${id}`);
    return {
      status: 200,
      jsonBody: {
        id,
        ...(isScan && {
          orchestration: {
            runtimeStatus: orchestration.runtimeStatus,
            createdTime: orchestration.createdTime,
            lastUpdatedTime: orchestration.lastUpdatedTime,
            progress: orchestration.customStatus ?? null,
            ...(orchestration.runtimeStatus === df.OrchestrationRuntimeStatus.Completed && { result: orchestration.output }),
            ...(orchestration.runtimeStatus === df.OrchestrationRuntimeStatus.Failed && { error: failureText(orchestration.output) }),
          },
        }),
        // Counts and per-cluster health appear as clusters are saved; `scan` once the scan is complete.
        ...(stored ?? { clusters: [], fleetFindingsSaved: false }),
      },
    };
  });
}

function failureText(output: unknown): string {
  const text = typeof output === "string" ? output : JSON.stringify(output ?? "");
  return text.length > 2000 ? `${text.slice(0, 1997)}...` : text;
}
