/**
 * The grants of `use-managed-identity` (AKS identity bindings): ClusterRoles
 * and ClusterRoleBindings are read only on a cluster where some pod opts in,
 * the same way through the API server and through run command, and a refused
 * list is a gap for binding.role-missing, never "no grant".
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterSnapshot } from "../../shared/cluster/index.js";
import { createAzureScanDependencies, type AzureScanSettings } from "../../shared/engine/azure-dependencies.js";
import { scanFleet, type ScanOutcome } from "../../shared/engine/index.js";
import { loadFleet, type FaultsConfig, type Simulator } from "../../simulator/index.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";

const DEMO_DIR = fileURLToPath(new URL("../fleets/demo", import.meta.url));
/** Its settlement namespace runs identity-binding workloads. */
const OPTING_IN = "payments-prod";
const CLIENT_ID = "6d3e2a41-8b7c-4f19-9e0d-2c5b7a813f64";

async function scan(sim: Simulator, cluster: string, settings: AzureScanSettings = {}): Promise<{ outcome: ScanOutcome; snapshot: ClusterSnapshot }> {
  const deps = createAzureScanDependencies(clientsFor(sim), settings);
  let snapshot: ClusterSnapshot | undefined;
  const outcome = await scanFleet(
    {
      ...deps,
      snapshot: async (c) => (snapshot = await deps.snapshot(c)),
    },
    { scope: { subscriptions: [], managementGroups: [], clusters: [cluster] }, concurrency: 1, trigger: "demo" },
  );
  return { outcome, snapshot: snapshot! };
}

const sims: Simulator[] = [];
async function simulator(faults: FaultsConfig): Promise<Simulator> {
  const sim = await startFleetSimulator({ fleet: await loadFleet(DEMO_DIR), faults });
  sims.push(sim);
  return sim;
}

let direct: Awaited<ReturnType<typeof scan>>;
beforeAll(async () => {
  direct = await scan(await simulator({}), OPTING_IN);
}, 60_000);
afterAll(async () => {
  await Promise.all(sims.map((sim) => sim.close()));
});

describe("the grants of use-managed-identity", () => {
  it("are read where pods opt in to identity binding, joined with what their ClusterRole allows", () => {
    expect(direct.snapshot.managedIdentityGrants).toEqual([
      { binding: `use-mi-${CLIENT_ID}`, role: `use-mi-${CLIENT_ID}`, clientIds: [CLIENT_ID], subjects: [{ kind: "ServiceAccount", name: "settlement-reports", namespace: "settlement" }] },
    ]);
    expect(direct.outcome.findings.filter((f) => f.checkId === "binding.role-missing").map((f) => `${f.resource.namespace}/${f.resource.name}`)).toEqual(["settlement/settlement-api"]);
  });

  it("are not read where no pod opts in", async () => {
    const { snapshot } = await scan(sims[0]!, "payments-staging");
    expect(snapshot.managedIdentityGrants).toBeUndefined();
    expect(snapshot.errors).toEqual([]);
  });

  it("are the same through run command as through the API server", async () => {
    const sim = await simulator({ rules: [{ family: "kubernetes", cluster: OPTING_IN, fault: "unreachable" }] });
    const subscription = direct.outcome.inventory.clusters.find((c) => c.name === OPTING_IN)!.subscriptionId;
    const { snapshot, outcome } = await scan(sim, OPTING_IN, { runCommandScopes: [subscription] });
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.accessPath).toBe("run-command");
    expect(snapshot.managedIdentityGrants).toEqual(direct.snapshot.managedIdentityGrants);
    expect(outcome.findings.filter((f) => f.checkId === "binding.role-missing")).toHaveLength(1);
  }, 60_000);

  it("leave binding.role-missing silent, its coverage a forbidden gap, when ClusterRoles cannot be listed", async () => {
    const sim = await simulator({ rules: [{ family: "kubernetes", cluster: OPTING_IN, method: "get", path: "^/apis/rbac.authorization.k8s.io/v1/clusterroles", fault: "forbidden" }] });
    const { snapshot, outcome } = await scan(sim, OPTING_IN);
    expect(snapshot.managedIdentityGrants).toBeUndefined();
    expect(snapshot.errors).toEqual([expect.objectContaining({ kind: "forbidden", resource: "clusterroles", verb: "list" })]);
    expect(outcome.findings.map((f) => f.checkId)).not.toContain("binding.role-missing");
    const coverage = outcome.scan.clusters[0]!.coverage?.checks.find((c) => c.checkId === "binding.role-missing");
    expect(coverage).toMatchObject({ state: "none", reason: "forbidden" });
  }, 60_000);
});
