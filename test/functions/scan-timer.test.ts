import type { Timer } from "@azure/functions";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { weeklyScan } from "../../functions/scans/timer.js";
import { startDurableExtension, type DurableExtension } from "./durable/durable-extension.js";

const SUB = "00000000-0000-0000-0000-00000000000a";
const timer = (isPastDue = false): Timer => ({
  isPastDue,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: "2026-11-23T06:00:00Z", next: "2026-12-07T06:00:00Z", lastUpdated: "2026-11-30T06:00:00Z" },
});
const mondayMorning = () => new Date("2026-11-30T06:00:00.120Z");

let extension: DurableExtension;

beforeAll(async () => {
  extension = await startDurableExtension();
});
afterAll(() => extension.close());
beforeEach(() => {
  vi.stubEnv("SCAN_SUBSCRIPTIONS", SUB);
  vi.stubEnv("SCAN_SCHEDULE", "0 0 6 * * 1");
});
afterEach(() => {
  vi.unstubAllEnvs();
  extension.instances.clear();
  extension.started.length = 0;
});

describe("the weekly scan timer", () => {
  it("starts the fleet scan under the id of this week's slot, with the configured scope and the digest", async () => {
    const logs: string[] = [];
    const result = await weeklyScan(timer(), extension.context("weekly-scan", logs), mondayMorning);
    expect(result).toEqual({ scanId: "20261130T060000Z-timer", started: true });
    expect(extension.started).toHaveLength(1);
    expect(extension.started[0]).toMatchObject({
      name: "fleet-scan",
      instanceId: "20261130T060000Z-timer",
      input: { trigger: "timer", scope: { subscriptions: [SUB], managementGroups: [], clusters: [] }, sendDigest: true },
    });
    const line = JSON.parse(logs.find((l) => l.includes("scan.started"))!) as Record<string, unknown>;
    expect(line).toMatchObject({ event: "scan.started", scanId: "20261130T060000Z-timer", slot: "2026-11-30T06:00:00.000Z" });
  });

  it("starts nothing when it fires again in the same week, whether that scan runs or has finished", async () => {
    await weeklyScan(timer(), extension.context("weekly-scan"), mondayMorning);
    for (const status of ["Running", "Completed"]) {
      extension.instances.get("20261130T060000Z-timer")!.runtimeStatus = status;
      const again = await weeklyScan(timer(true), extension.context("weekly-scan"), () => new Date("2026-12-01T13:30:00Z"));
      expect(again).toEqual({ scanId: "20261130T060000Z-timer", started: false, existingStatus: status });
    }
    expect(extension.started).toHaveLength(1);
  });

  it("starts the week's scan again when the earlier run of that slot failed", async () => {
    await weeklyScan(timer(), extension.context("weekly-scan"), mondayMorning);
    extension.instances.get("20261130T060000Z-timer")!.runtimeStatus = "Failed";
    const again = await weeklyScan(timer(true), extension.context("weekly-scan"), () => new Date("2026-11-30T08:00:00Z"));
    expect(again.started).toBe(true);
    expect(extension.started).toHaveLength(2);
  });

  it("starts a new scan the next week", async () => {
    await weeklyScan(timer(), extension.context("weekly-scan"), mondayMorning);
    extension.instances.get("20261130T060000Z-timer")!.runtimeStatus = "Completed";
    const next = await weeklyScan(timer(), extension.context("weekly-scan"), () => new Date("2026-12-07T06:00:00.050Z"));
    expect(next).toEqual({ scanId: "20261207T060000Z-timer", started: true });
  });
});
