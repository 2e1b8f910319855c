/**
 * A CI gate cannot pass by not looking, and a narrowed scan changes nothing
 * it did not look at: the compiled `wiscan` run as a user runs it, against
 * the demo fleet and the demo's own local store.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createFindingsStore } from "../../shared/store/index.js";
import { startAzurite } from "../../simulator/azurite.js";
import type { ScanReport } from "../../shared/report/index.js";
import { wiscanIn, type CliResult } from "../support/cli.js";

async function storedFindings(cwd: string): Promise<Array<{ id: string; checkId: string; status: string; severity: string }>> {
  const { stdout } = await wiscanIn(cwd, "findings", "--demo", "--status", "all", "--output", "json", "--limit", "5000");
  const parsed = JSON.parse(stdout) as { findings?: unknown[] } | unknown[];
  return (Array.isArray(parsed) ? parsed : (parsed.findings ?? [])) as Array<{ id: string; checkId: string; status: string; severity: string }>;
}

describe("wiscan scan, narrowed, against the demo's store", () => {
  let cwd: string;
  let first: CliResult;
  let full: ScanReport;

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), "wiscan-coverage-"));
    // The first scan doubles as the --fail-on-incomplete gate's: a demo scan costs seconds of CPU (docs/testing.md).
    first = await wiscanIn(cwd, "scan", "--demo", "--output", "json", "--out", "full.json", "--fail-on-incomplete");
    full = JSON.parse(readFileSync(join(cwd, "full.json"), "utf8")) as ScanReport;
  });

  it("resolves nothing it did not look at: --check prints 0 resolved, says what it did not cover, and fails a coverage bar", async () => {
    const before = await storedFindings(cwd);
    const narrowed = await wiscanIn(cwd, "scan", "--demo", "--check", "pod.label-missing", "--output", "json", "--out", "narrow.json", "--min-coverage", "50");
    // Looking at one check of 30 is not looking: a coverage bar catches it.
    expect(narrowed.code).toBe(7);
    expect(narrowed.stderr).toMatch(/: 0 new or reopened, 0 resolved since the previous scan/);
    expect(narrowed.stderr).toMatch(/not selected: .*sa\.no-matching-fic/);
    expect(narrowed.stderr).toContain("findings this scan did not cover keep their state");
    const after = await storedFindings(cwd);
    expect(after.filter((f) => f.status === "open").length).toBe(before.filter((f) => f.status === "open").length);
    expect(after.map((f) => [f.id, f.status, f.severity]).sort()).toEqual(before.map((f) => [f.id, f.status, f.severity]).sort());
  });

  it("keeps every finding and its severity through a scan of one subscription and one cluster", async () => {
    const before = await storedFindings(cwd);
    const subscription = full.scan.subscriptions[0]!;
    const cluster = full.scan.clusters.find((c) => c.subscriptionId === subscription)!.cluster;
    const narrowed = await wiscanIn(cwd, "scan", "--demo", "--subscription", subscription, "--cluster", cluster, "--output", "json", "--out", "one.json");
    expect(narrowed.stderr).toMatch(/0 resolved since the previous scan/);
    const after = await storedFindings(cwd);
    expect(after.map((f) => [f.id, f.status, f.severity]).sort()).toEqual(before.map((f) => [f.id, f.status, f.severity]).sort());
  });

  it("exits 7 with --fail-on-incomplete when a cluster could not be read, and 0 with a coverage bar it meets", async () => {
    expect(first.code, first.stderr).toBe(7);
    expect(full.scan.coverage?.actionableGaps).toBeGreaterThan(0);
    const low = await wiscanIn(cwd, "scan", "--demo", "--no-store", "--output", "json", "--min-coverage", String(Math.floor(full.scan.coverage!.percent)));
    expect(low.code).toBe(0);
  });

  it("counts for --fail-on only findings that no active suppression hides", async () => {
    const high = full.findings.find((f) => f.severity === "high" && f.resource.cluster !== undefined)!;
    const args = ["scan", "--demo", "--output", "json", "--out", "gate.json", "--cluster", high.resource.cluster!, "--check", high.checkId, "--fail-on", "high"];
    expect((await wiscanIn(cwd, ...args)).code).toBe(5);

    // A security team suppresses the check on that cluster, with a reason and an expiry, in the demo's store.
    const azurite = await startAzurite({ location: join(cwd, ".wiscan", "azurite") });
    try {
      const store = await createFindingsStore({ kind: "connection-string", connectionString: azurite.connectionString, retentionDays: 90 });
      await store.createSuppression({
        checkId: high.checkId,
        pattern: { cluster: high.resource.cluster! },
        reason: "accepted until the migration",
        createdBy: "security@example.com",
        createdById: "00000000-0000-0000-0000-0000000005ec",
        expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      });
    } finally {
      await azurite.stop();
    }
    expect((await wiscanIn(cwd, ...args)).code).toBe(0);
    // Without the store, wiscan cannot know the suppression: it does not pretend to.
    expect((await wiscanIn(cwd, ...args, "--no-store")).code).toBe(5);
  });
});
