/**
 * Questions the trigger functions ask the Durable client about scans: does
 * this instance exist, and is a scan of this scope already running.
 */
import * as df from "durable-functions";
import type { DurableClient, DurableOrchestrationStatus, OrchestrationFilter } from "durable-functions";
import type { FleetScanInput } from "../durable/model.js";
import { FLEET_SCAN_ORCHESTRATOR } from "../durable/names.js";
import { sameScope } from "./scan-request.js";

/** Statuses of a scan that is still going: a new one of the same scope would duplicate it. */
export const ACTIVE_STATUSES: readonly df.OrchestrationRuntimeStatus[] = [
  df.OrchestrationRuntimeStatus.Pending,
  df.OrchestrationRuntimeStatus.Running,
  df.OrchestrationRuntimeStatus.ContinuedAsNew,
  df.OrchestrationRuntimeStatus.Suspended,
];

/** The instance's status, or undefined when the task hub has never heard of it. */
export async function instanceStatus(client: DurableClient, instanceId: string): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(instanceId, { showInput: true });
  } catch (error) {
    // The client turns the extension's 404 into an Error whose message says so; nothing else distinguishes it.
    if (error instanceof Error && /HTTP 404/.test(error.message)) return undefined;
    throw error;
  }
}

/** A fleet scan of the same scope that has not finished yet, if there is one. */
export async function activeScanOfScope(client: DurableClient, input: FleetScanInput): Promise<DurableOrchestrationStatus | undefined> {
  const filter: OrchestrationFilter & { showInput: boolean } = { runtimeStatus: [...ACTIVE_STATUSES], showInput: true };
  const active = await client.getStatusBy(filter);
  return active.find((status) => status.name === FLEET_SCAN_ORCHESTRATOR && isScanInput(status.input) && sameScope(status.input.scope, input.scope));
}

function isScanInput(value: unknown): value is FleetScanInput {
  if (typeof value !== "object" || value === null || !("scope" in value)) return false;
  const scope = (value as { scope: unknown }).scope;
  return (
    typeof scope === "object" &&
    scope !== null &&
    ["subscriptions", "managementGroups", "clusters"].every((k) => Array.isArray((scope as Record<string, unknown>)[k]))
  );
}
