/**
 * The probe when it cannot decide: TokenRequest refused by the cluster's
 * RBAC, or Entra's token endpoint out of reach. Neither may pass for a
 * verdict; a refusal must reach scan.forbidden with the permission to grant.
 */
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createAzureScanDependencies } from "../../shared/engine/azure-dependencies.js";
import { scanFleet } from "../../shared/engine/index.js";
import type { Simulator } from "../../simulator/index.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";

const DEMO_DIR = fileURLToPath(new URL("../fleets/demo", import.meta.url));
const CLUSTER = "checkout-prod";

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function probedSnapshot(simulator: Simulator, authorityHost: string) {
  const deps = createAzureScanDependencies(clientsFor(simulator), { probeScopes: simulator.fleet.azure.subscriptions.map((s) => s.subscriptionId), authorityHost });
  const inventory = await deps.inventory({ subscriptions: [], managementGroups: [], clusters: [] });
  return deps.snapshot(inventory.clusters.find((c) => c.name === CLUSTER)!);
}

describe("the live probe", () => {
  it("records a refused TokenRequest as undecided, and scan.forbidden names the permission", async () => {
    sim = await startFleetSimulator({ fleetDir: DEMO_DIR, kubernetes: { forbidden: [{ cluster: CLUSTER, resource: "serviceaccounts/token", verb: "create" }] } });
    const snapshot = await probedSnapshot(sim, sim.authorityHost);
    expect(snapshot.probeResults?.length).toBeGreaterThan(0);
    for (const result of snapshot.probeResults ?? []) {
      expect(result.outcome).toBe("error");
      expect(result.message).toMatch(/^TokenRequest failed/);
    }
    expect(snapshot.errors).toContainEqual(expect.objectContaining({ kind: "forbidden", resource: "serviceaccounts/token", verb: "create" }));

    const deps = createAzureScanDependencies(clientsFor(sim), { probeScopes: sim.fleet.azure.subscriptions.map((s) => s.subscriptionId), authorityHost: sim.authorityHost });
    const outcome = await scanFleet(deps, { scope: { subscriptions: [], managementGroups: [], clusters: [CLUSTER] }, concurrency: 2, trigger: "demo" });
    expect(outcome.findings.filter((f) => f.checkId === "probe.token-exchange-failed")).toEqual([]);
    const forbidden = outcome.findings.filter((f) => f.checkId === "scan.forbidden").map((f) => f.resource.name);
    expect(forbidden.some((name) => /create serviceaccounts\/token/.test(name))).toBe(true);
  });

  it("records an unreachable token endpoint as undecided, never as a failed exchange", async () => {
    sim = await startFleetSimulator({ fleetDir: DEMO_DIR });
    const snapshot = await probedSnapshot(sim, "https://127.0.0.1:9");
    expect(snapshot.probeResults?.length).toBeGreaterThan(0);
    for (const result of snapshot.probeResults ?? []) {
      expect(result).toMatchObject({ outcome: "error", message: expect.stringMatching(/could not be reached/) });
    }
  });
});
