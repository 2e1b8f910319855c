/**
 * A real scan of the demo fleet for the browser tests: a copy of the fleet
 * with hostile values where Azure and Kubernetes allow any text (a
 * subscription display name; a service account's client-id annotation, which
 * the sa.client-id-malformed finding quotes in its evidence), scanned through
 * the simulator by the production clients and engine.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAzureScanDependencies, scanFleet, type ScanOutcome } from "../../shared/engine/index.js";
import { DEMO_FLEET_DIR } from "../support/demo-answer-key.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";

export const HOSTILE = `<img src=x onerror="document.title='pwned'">`;

function hostileDemoFleet(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "wiscan-browser-")), "fleet");
  cpSync(DEMO_FLEET_DIR, dir, { recursive: true });
  const azureFile = join(dir, "azure.json");
  const azure = JSON.parse(readFileSync(azureFile, "utf8")) as { subscriptions: Array<{ displayName: string }> };
  azure.subscriptions[0]!.displayName = `contoso-payments ${HOSTILE}`;
  writeFileSync(azureFile, JSON.stringify(azure));
  const clusterFile = join(dir, "clusters", "payments-staging.yaml");
  const yaml = readFileSync(clusterFile, "utf8");
  // JSON is YAML: a double-quoted scalar keeps the markup as one string.
  writeFileSync(clusterFile, yaml.replace("azure.workload.identity/client-id: id-statements", `azure.workload.identity/client-id: ${JSON.stringify(HOSTILE)}`));
  return dir;
}

/** Scans the hostile demo fleet `times` times (a trend needs more than one scan) and returns each outcome. */
export async function scanHostileDemoFleet(times = 1): Promise<ScanOutcome[]> {
  const sim = await startFleetSimulator({ fleetDir: hostileDemoFleet() });
  try {
    const outcomes: ScanOutcome[] = [];
    for (let i = 0; i < times; i += 1) {
      outcomes.push(await scanFleet(createAzureScanDependencies(clientsFor(sim)), { scope: { subscriptions: [], managementGroups: [], clusters: [] }, concurrency: 8, trigger: "demo" }));
    }
    return outcomes;
  } finally {
    await sim.close();
  }
}
