/**
 * The findings store when its storage goes away in the middle of a save: an
 * Azurite process of this test's own, keeping its data on disk, is stopped
 * while a scan's findings are being written (after a given number of
 * transactions reached it), started again on the same port, and the save
 * retried, as a retried activity would. The tables must end exactly as after a
 * save that never failed: no duplicate, no missing finding, the same history.
 */
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../shared/findings/index.js";
import { createFindingsStore, type FindingsStore } from "../../shared/store/index.js";
import { freePort } from "../support/azurite.js";
import { startPersistentAzurite, type PersistentAzurite } from "./persistent-azurite.js";
import { dumpTables, health, saFinding, scanRun, uniquePrefix } from "../store/fixtures.js";
import { summaryLine } from "./summary.js";

const S1 = "2026-11-02T06:00:00.000Z";
const S2 = "2026-11-09T06:00:00.000Z";
const CLUSTERS = ["aks-a", "aks-b"];

/** Two scans of two clusters, 150 findings each, the second dropping, keeping, adding and re-rating some. */
function scans(): { first: Finding[]; second: Finding[] } {
  const first: Finding[] = [];
  const second: Finding[] = [];
  for (const cluster of CLUSTERS) {
    for (let i = 0; i < 150; i++) {
      const f = saFinding(cluster, `ns-${i % 6}`, `sa-${i}`, i % 2 === 0 ? "sa.no-matching-fic" : "pod.label-missing", (["high", "medium", "low"] as const)[i % 3]);
      if (i % 5 !== 0) first.push(f);
      if (i % 4 !== 0) second.push(i % 9 === 0 ? { ...f, severity: "info" } : f);
    }
  }
  return { first, second };
}

const run = (id: string, at: string, findings: readonly Finding[]) => scanRun(id, at, CLUSTERS.map((c) => health(c)), findings);

let dataDir: string;
let port: number;
let azurite: PersistentAzurite;
let reference: Record<string, unknown[]>;
const { first, second } = scans();

async function store(prefix: string, onBatch?: () => void): Promise<FindingsStore> {
  const counting: PipelinePolicy = {
    name: "stopAzuriteMidSave",
    sendRequest(request, next) {
      if (request.method === "POST" && request.url.includes("$batch")) onBatch?.();
      return next(request);
    },
  };
  return createFindingsStore(
    { kind: "connection-string", connectionString: azurite.connectionString, retentionDays: 90 },
    {
      tablePrefix: prefix,
      // One quick retry: the outage lasts longer, so the save fails as an activity's would.
      clientOptions: { retryOptions: { maxRetries: 1, retryDelayInMs: 100 }, additionalPolicies: [{ policy: counting, position: "perCall" }] },
    },
  );
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "wiscan-azurite-"));
  port = await freePort();
  azurite = await startPersistentAzurite(dataDir, port);
  const prefix = uniquePrefix("clean");
  const clean = await store(prefix);
  await clean.saveScan(run("scan-1", S1, first), first);
  await clean.saveScan(run("scan-2", S2, second), second);
  reference = await dumpTables(prefix, azurite.connectionString);
}, 120_000);

afterAll(async () => {
  await azurite?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("Azurite stopped in the middle of saving a scan and started again", () => {
  const outcomes: string[] = [];
  for (const after of [2, 6]) {
    it(`ends with the rows of a clean save when it stops after ${after} transactions and the save is retried`, async () => {
      const prefix = uniquePrefix(`stop${after}`);
      await (await store(prefix)).saveScan(run("scan-1", S1, first), first);

      let batches = 0;
      let stopping: Promise<void> | undefined;
      const doomed = await store(prefix, () => {
        batches += 1;
        if (batches === after) stopping = azurite.stop();
      });
      await expect(doomed.saveScan(run("scan-2", S2, second), second)).rejects.toThrow();
      expect(stopping).toBeDefined();
      await stopping;

      azurite = await startPersistentAzurite(dataDir, port);
      // The interrupted save left a half-written scan behind: not the clean state yet.
      expect(await dumpTables(prefix, azurite.connectionString)).not.toEqual(reference);

      const retried = await store(prefix);
      await retried.saveScan(run("scan-2", S2, second), second);
      const dump = await dumpTables(prefix, azurite.connectionString);
      expect(dump).toEqual(reference);

      const open = [];
      for await (const f of retried.allFindings({ status: "open" })) open.push(f);
      expect(open.map((f) => f.id).sort()).toEqual(second.map((f) => f.id).sort());
      const someone = second.find((f) => first.some((g) => g.id === f.id))!;
      const history = await retried.getFinding(someone.id);
      expect(history?.history.map((h) => `${h.scanId} ${h.event}`)).toEqual(["scan-1 new", "scan-2 seen"]);
      outcomes.push(`${after} transactions`);
    });
  }

  it("summarises the outages", () => {
    expect(outcomes).toHaveLength(2);
    const rows = Object.values(reference).reduce((n, table) => n + table.length, 0);
    summaryLine(
      "faults: Azurite stopped mid-save and restarted",
      `2 outages (after ${outcomes.join(" and after ")}) while saving ${second.length} findings of 2 clusters; each save retried after the restart`,
      `0 of ${rows} rows (no duplicate, no missing finding, same history as a clean save)`,
    );
  });
});
