/**
 * The digest of the demo fleet across two real scans (simulator, real SDK
 * clients, Azurite): in the first, payments-staging refuses the scanner; in the
 * second it lets it in. Its workload findings are new, its scan.forbidden
 * findings are resolved, and the digest says exactly that.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDigest, type Digest } from "../../shared/digest/index.js";
import { createAzureScanDependencies, scanFleet, type ScanOutcome } from "../../shared/engine/index.js";
import type { FindingsStore } from "../../shared/store/index.js";
import { loadFleet, type FaultsConfig } from "../../simulator/index.js";
import { demoFleetDir } from "../../simulator/demo-fleet.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";
import { digestStores } from "./store-support.js";

const API = "https://wiscan.example.com/api";

async function scanDemo(faults: FaultsConfig): Promise<ScanOutcome> {
  const fleet = await loadFleet(demoFleetDir());
  const sim = await startFleetSimulator({ fleet, faults });
  try {
    return await scanFleet(createAzureScanDependencies(clientsFor(sim)), { scope: { subscriptions: [], managementGroups: [], clusters: [] }, concurrency: 4, trigger: "demo" });
  } finally {
    await sim.close();
  }
}

describe("the digest of the demo fleet across two scans", () => {
  let store: FindingsStore;
  let first: ScanOutcome;
  let second: ScanOutcome;
  let digest: Digest;

  beforeAll(async () => {
    ({ store } = await digestStores("demo"));
    // The demo fleet's own faults (analytics-batch refuses to list pods) stay in both scans.
    const fleetFaults = ((await loadFleet(demoFleetDir())).faults ?? {}) as FaultsConfig;
    first = await scanDemo({ ...fleetFaults, rules: [...(fleetFaults.rules ?? []), { family: "kubernetes", cluster: "payments-staging", fault: "forbidden" }] });
    await store.saveScan(first.scan, first.findings);
    second = await scanDemo(fleetFaults);
    await store.saveScan(second.scan, second.findings);
    digest = await buildDigest(store, second.scan.id, { digest: { transport: "none", recipients: [], maxFindings: 200, findingsApiBaseUrl: API } });
  });
  afterAll(() => undefined);

  it("reports as new exactly the findings the second scan saw first, and as resolved the ones it no longer saw", () => {
    const firstIds = new Set(first.findings.map((f) => f.id));
    const secondIds = new Set(second.findings.map((f) => f.id));
    const fresh = second.findings.filter((f) => !firstIds.has(f.id));
    const gone = first.findings.filter((f) => !secondIds.has(f.id));
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((f) => f.resource.cluster === "payments-staging")).toBe(true);
    expect(gone.length).toBeGreaterThan(0);
    expect(gone.every((f) => f.checkId.startsWith("scan.") && f.resource.cluster === "payments-staging")).toBe(true);

    const newHigh = fresh.filter((f) => f.severity === "high").length;
    expect(digest.subject).toBe(
      `wiscan: ${newHigh} new high, ${second.findings.length} open, ${gone.length} resolved — ${second.scan.clusters.length} clusters in ${second.scan.subscriptions.length} subscriptions`,
    );
    const newSection = digest.text.slice(digest.text.indexOf("NEW SINCE THE PREVIOUS SCAN"), digest.text.indexOf("STILL OPEN"));
    expect(newSection).toContain(`NEW SINCE THE PREVIOUS SCAN (${fresh.length})`);
    expect(newSection.match(/^ {2}\* \[/gm)).toHaveLength(fresh.length);
    expect(newSection.match(/\[NEW\]/g)).toHaveLength(fresh.length);
    const resolvedSection = digest.text.slice(digest.text.indexOf("RESOLVED SINCE THE PREVIOUS SCAN"), digest.text.indexOf("IDENTITIES MOST AT RISK"));
    expect(resolvedSection.match(/^ {2}- \[/gm)).toHaveLength(gone.length);
    for (const f of gone) expect(resolvedSection).toContain(f.title.slice(0, 60));
  });

  it("shows the cluster the scanner still cannot read, with the permission to grant", () => {
    const health = digest.text.slice(digest.text.indexOf("SCAN HEALTH"));
    const analytics = second.scan.clusters.find((c) => c.cluster === "analytics-batch")!;
    expect(analytics.status).not.toBe("ok");
    expect(health).toContain(`- analytics-batch (`);
    expect(health).toMatch(/analytics-batch[^\n]*\n[\s\S]*pods/);
  });

  it("links every detailed finding to the findings API, and counts and links the ones it leaves out to stay under Gmail's clipping point", () => {
    expect(digest.detailedFindings).toBeGreaterThan(0);
    expect(digest.html.match(new RegExp(`href="${API}/findings/[0-9a-f]{32}"`, "g"))?.length).toBe(digest.detailedFindings);
    const counted = [...digest.text.matchAll(/^ {2}(\d+) more (?:new|open) findings? not shown: https:/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(digest.detailedFindings + counted).toBe(second.findings.length);
  });
});
