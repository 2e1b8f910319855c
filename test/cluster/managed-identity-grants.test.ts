/**
 * What AKS identity bindings need, read where some pod opts in: the grants of
 * `use-managed-identity` (ClusterRoles and ClusterRoleBindings, the same way
 * through the API server and through run command) and the cluster's identity
 * bindings (ARM, through the real SDK against the simulator). A refused or
 * failed read is a gap for the checks that need it, never "none".
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterSnapshot } from "../../shared/cluster/index.js";
import { createAzureScanDependencies, type AzureScanSettings } from "../../shared/engine/azure-dependencies.js";
import { scanFleet, type ScanOutcome } from "../../shared/engine/index.js";
import { loadFleet, type FaultsConfig, type Simulator } from "../../simulator/index.js";
import { accessToken, clientsFor, httpsRequest, startFleetSimulator } from "../support/simulator.js";

const DEMO_DIR = fileURLToPath(new URL("../fleets/demo", import.meta.url));
/** Its settlement namespace runs identity-binding workloads. */
const OPTING_IN = "payments-prod";
const CLIENT_ID = "6d3e2a41-8b7c-4f19-9e0d-2c5b7a813f64";

async function scan(sim: Simulator, cluster: string, settings: AzureScanSettings = {}, clients: Parameters<typeof clientsFor>[1] = {}): Promise<{ outcome: ScanOutcome; snapshot: ClusterSnapshot }> {
  const deps = createAzureScanDependencies(clientsFor(sim, clients), settings);
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

  it("are not read where no pod opts in, nor are the cluster's identity bindings", async () => {
    const { snapshot } = await scan(sims[0]!, "checkout-prod");
    expect(snapshot.managedIdentityGrants).toBeUndefined();
    expect(snapshot.identityBindings).toBeUndefined();
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

const IDENTITY_BINDINGS = "Microsoft.ContainerService/managedClusters/identityBindings";
const TENANT = "fd46b0cc-ba27-4bee-ac95-13bad50640e3";
const findingsOf = (outcome: ScanOutcome, checkId: string) => outcome.findings.filter((f) => f.checkId === checkId);

describe("the cluster's identity bindings (ARM)", () => {
  it("are read through the SDK where pods opt in, with what AKS fills in, and judged per binding", () => {
    expect(direct.snapshot.identityBindings).toEqual([
      {
        name: "id-ledger-ib",
        managedIdentityResourceId: "/subscriptions/d1c2a081-a471-42e1-853b-539d0f923d78/resourcegroups/rg-payments-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-ledger",
        clientId: "0fe1de95-04c6-4d2a-a7fa-71d4db56ecab",
        oidcIssuerUrl: `https://ib.oic.prod-aks.azure.com/${TENANT}/0fe1de95-04c6-4d2a-a7fa-71d4db56ecab`,
        provisioningState: "Succeeded",
      },
      {
        name: "id-settlement-ib-ib",
        managedIdentityResourceId: "/subscriptions/d1c2a081-a471-42e1-853b-539d0f923d78/resourcegroups/rg-payments-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-settlement-ib",
        clientId: CLIENT_ID,
        oidcIssuerUrl: `https://ib.oic.prod-aks.azure.com/${TENANT}/${CLIENT_ID}`,
        provisioningState: "Succeeded",
      },
    ]);
    // id-ledger's binding exists here but its AKS-managed credential was deleted.
    expect(findingsOf(direct.outcome, "binding.credential-deleted").map((f) => f.resource.name)).toEqual(["id-ledger-ib"]);
    expect(findingsOf(direct.outcome, "binding.credential-missing")).toEqual([]);
  });

  it("tell an identity bound to another cluster from one bound here, and a failed binding from a missing one", async () => {
    const { outcome } = await scan(sims[0]!, "payments-staging");
    const missing = findingsOf(outcome, "binding.credential-missing");
    expect(missing.map((f) => `${f.resource.namespace}/${f.resource.name}`)).toEqual(["payments/settlement-preview"]);
    expect(missing[0]!.evidence).toMatchObject({ aksIdentityBindingCredential: "present", identityBindingsOnCluster: "id-fraud-scoring-ib" });
    expect(missing[0]!.remediation.command).toContain("az aks identity-binding create --subscription d1c2a081-a471-42e1-853b-539d0f923d78 --resource-group rg-payments-staging --cluster-name payments-staging");
    expect(findingsOf(outcome, "binding.not-ready").map((f) => [f.resource.name, f.severity, f.evidence.provisioningState])).toEqual([["id-fraud-scoring-ib", "medium", "Failed"]]);
  }, 60_000);

  it("are served in the shape of Azure's published examples, with ARM's errors for a missing binding or cluster", async () => {
    const sim = sims[0]!;
    const cluster = direct.outcome.inventory.clusters.find((c) => c.name === OPTING_IN)!;
    const headers = { authorization: `Bearer ${await accessToken(sim)}` };
    const url = (path: string) => `${sim.armEndpoint}${path}?api-version=2026-04-01`;
    const example = (name: string) => (JSON.parse(readFileSync(new URL(`./examples/${name}`, import.meta.url), "utf8")) as { responses: { 200: { body: unknown } } }).responses[200].body;

    const list = await httpsRequest(sim, url(`${cluster.id}/identityBindings`), { headers });
    expect(list.status).toBe(200);
    expect(shapeOf(list.body)).toEqual(shapeOf(example("IdentityBindings_List.json")));
    const first = (list.body as { value: Array<{ id: string }> }).value[0]!;
    // Under the cluster's id as the fleet writes it (resourceGroups, capital G).
    expect(first.id).toBe(`${cluster.id}/identityBindings/id-settlement-ib-ib`);

    const one = await httpsRequest(sim, url(`${cluster.id}/identityBindings/ID-LEDGER-IB`), { headers });
    expect(shapeOf(one.body)).toEqual(shapeOf(example("IdentityBindings_Get.json")));
    const absent = await httpsRequest(sim, url(`${cluster.id}/identityBindings/nope`), { headers });
    expect([absent.status, (absent.body as { error: { code: string } }).error.code]).toEqual([404, "ResourceNotFound"]);
    const orphan = await httpsRequest(sim, url(`${cluster.id.replace(/payments-prod$/, "payments-gone")}/identityBindings`), { headers });
    expect([orphan.status, (orphan.body as { error: { code: string } }).error.code]).toEqual([404, "ParentResourceNotFound"]);
    // An api-version of the provider that predates identity bindings knows no such type.
    const older = await httpsRequest(sim, `${sim.armEndpoint}${cluster.id}/identityBindings?api-version=2025-07-01`, { headers });
    expect(older.status).toBe(400);
  });

  // One simulator for both failures: ARM refuses payments-prod's read and keeps failing payments-staging's.
  let failing: Promise<Simulator> | undefined;
  const failingArm = () =>
    (failing ??= simulator({
      rules: [
        { family: "arm", cluster: OPTING_IN, path: "/identityBindings", fault: "forbidden" },
        { family: "arm", cluster: "payments-staging", path: "/identityBindings", fault: "status", status: 503 },
      ],
    }));

  it("leave the binding checks silent, their coverage a gap and the permission named, when ARM refuses the read", async () => {
    const { snapshot, outcome } = await scan(await failingArm(), OPTING_IN);
    expect(snapshot.identityBindings).toBeUndefined();
    expect(snapshot.errors).toEqual([expect.objectContaining({ kind: "forbidden", resource: IDENTITY_BINDINGS, verb: "read", httpStatus: 403 })]);
    for (const id of ["binding.credential-missing", "binding.credential-deleted", "binding.not-ready"]) {
      expect(findingsOf(outcome, id), id).toEqual([]);
      expect(outcome.scan.clusters[0]!.coverage?.checks.find((c) => c.checkId === id), id).toMatchObject({ state: "none", reason: "forbidden" });
    }
    expect(findingsOf(outcome, "scan.forbidden").map((f) => f.resource.name)).toEqual([`${IDENTITY_BINDINGS}/read`]);
    // The API server was read: the Kubernetes checks are unaffected.
    expect(findingsOf(outcome, "binding.role-missing")).toHaveLength(1);
    expect(findingsOf(outcome, "scan.cluster-unreachable")).toEqual([]);
  }, 60_000);

  it("are a gap, not 'no binding', when ARM keeps failing (5xx after the SDK's retries)", async () => {
    const { snapshot, outcome } = await scan(await failingArm(), "payments-staging", {}, { maxRetries: 0 });
    expect(snapshot.identityBindings).toBeUndefined();
    expect(snapshot.errors).toEqual([expect.objectContaining({ kind: "error", resource: IDENTITY_BINDINGS, httpStatus: 503 })]);
    // Neither the missing binding nor the failed one is reported while the bindings are unknown.
    expect([...findingsOf(outcome, "binding.credential-missing"), ...findingsOf(outcome, "binding.not-ready")]).toEqual([]);
    expect(outcome.scan.clusters[0]!.coverage?.checks.find((c) => c.checkId === "binding.credential-missing")).toMatchObject({ state: "none", reason: "read-failed" });
    expect(outcome.scan.clusters[0]!.status).not.toBe("unreachable");
  }, 60_000);
});

/** A JSON value's structure: keys and value types, arrays by their first element. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, shapeOf(v)]));
  return typeof value;
}
