/**
 * The weekly scan: a timer on the schedule of the SCAN_SCHEDULE app setting
 * (default Monday 06:00 UTC) starts the fleet scan orchestration under an
 * instance id derived from the schedule slot. A second firing for the same
 * slot (a host restart, a "past due" catch-up) finds that instance and starts
 * nothing; only a slot whose scan failed or was terminated is started again.
 */
import { app, type InvocationContext, type Timer } from "@azure/functions";
import * as df from "durable-functions";
import { loadConfig } from "../../shared/config/index.js";
import type { FleetScanInput } from "../durable/model.js";
import { FLEET_SCAN_ORCHESTRATOR } from "../durable/names.js";
import { scanLog } from "../runtime/telemetry.js";
import { instanceStatus } from "./scan-instances.js";
import { configuredScope } from "./scan-request.js";
import { scheduleSlot, timerScanId } from "./schedule-slot.js";

export const WEEKLY_SCAN_FUNCTION = "weekly-scan";

const RESTARTABLE: ReadonlySet<string> = new Set([
  df.OrchestrationRuntimeStatus.Failed,
  df.OrchestrationRuntimeStatus.Terminated,
  df.OrchestrationRuntimeStatus.Canceled,
]);

export interface WeeklyScanStart {
  scanId: string;
  started: boolean;
  /** The status of the instance that was already there, when nothing was started. */
  existingStatus?: string;
}

export async function weeklyScan(timer: Timer, context: InvocationContext, now: () => Date = () => new Date()): Promise<WeeklyScanStart> {
  const config = loadConfig(process.env);
  const slot = scheduleSlot(config.scanner.schedule, now());
  const scanId = timerScanId(slot);
  const log = scanLog(context, { scanId, trigger: "timer" });
  const client = df.getClient(context);

  const existing = await instanceStatus(client, scanId);
  if (existing !== undefined && !RESTARTABLE.has(existing.runtimeStatus)) {
    log.info("scan.already-started", { slot: slot.toISOString(), status: existing.runtimeStatus, pastDue: timer.isPastDue });
    return { scanId, started: false, existingStatus: existing.runtimeStatus };
  }
  const input: FleetScanInput = { trigger: "timer", scope: configuredScope(config.scanner), sendDigest: true };
  await client.startNew(FLEET_SCAN_ORCHESTRATOR, { instanceId: scanId, input });
  log.info("scan.started", {
    slot: slot.toISOString(),
    pastDue: timer.isPastDue,
    restartOf: existing?.runtimeStatus,
    subscriptions: input.scope.subscriptions.length,
    managementGroups: input.scope.managementGroups.length,
  });
  return { scanId, started: true };
}

app.timer(WEEKLY_SCAN_FUNCTION, {
  schedule: "%SCAN_SCHEDULE%",
  runOnStartup: false,
  extraInputs: [df.input.durableClient()],
  handler: async (timer, context) => {
    await weeklyScan(timer, context);
  },
});
