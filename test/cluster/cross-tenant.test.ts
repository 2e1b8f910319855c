/**
 * An Entra-integrated cluster of another tenant (Lighthouse, multi-tenant
 * estates): its API server takes tokens of its own tenant only
 * (aadProfile.tenantID, as ARM spells it). The simulator checks the token's
 * tenant as AKS does; the scanner asks Entra for a token in the cluster's tenant.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createAzureScanDependencies, scanFleet, type ScanOutcome } from "../../shared/engine/index.js";
import { loadFleet, type Simulator } from "../../simulator/index.js";
import type { FleetDescription } from "../../simulator/fleet/model.js";
import { clientsFor, MINI_FLEET_DIR, startFleetSimulator } from "../support/simulator.js";

const GUEST_TENANT = "7c5e2d1a-4b3f-4e6d-9a8b-1c2d3e4f5a6b";
const CLUSTER = "payments-aks";

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** The mini fleet with payments-aks moved to Entra ID of another tenant, local accounts off. */
async function crossTenantFleet(scannerConsentedThere: boolean): Promise<FleetDescription> {
  const fleet = await loadFleet(MINI_FLEET_DIR);
  const cluster = fleet.azure.managedClusters.find((c) => c.name === CLUSTER)!;
  cluster.properties = { ...cluster.properties, disableLocalAccounts: true, aadProfile: { managed: true, enableAzureRBAC: false, tenantID: GUEST_TENANT } };
  if (scannerConsentedThere) fleet.azure.scannerGuestTenants = [GUEST_TENANT];
  return fleet;
}

async function scanOne(fleet: FleetDescription): Promise<ScanOutcome> {
  sim = await startFleetSimulator({ fleet });
  return scanFleet(createAzureScanDependencies(clientsFor(sim)), {
    scope: { subscriptions: [], managementGroups: [], clusters: [CLUSTER] },
    concurrency: 2,
    trigger: "cli",
  });
}

describe("a cluster that signs users in with another tenant", () => {
  it("is read with a token of its tenant when the scanner's app is consented there", async () => {
    const outcome = await scanOne(await crossTenantFleet(true));
    const health = outcome.scan.clusters.find((h) => h.cluster === CLUSTER)!;
    expect(health.status, health.reason).not.toBe("forbidden");
    expect(health.podsSeen).toBeGreaterThan(0);
    expect(outcome.findings.filter((f) => f.checkId === "scan.forbidden" && f.resource.name === "authenticate")).toEqual([]);
  });

  it("is a scan.forbidden finding that names the cluster's tenant, not a role to grant, when the scanner cannot sign in there", async () => {
    const outcome = await scanOne(await crossTenantFleet(false));
    const refused = outcome.findings.filter((f) => f.checkId === "scan.forbidden" && f.resource.name === "authenticate");
    expect(refused).toHaveLength(1);
    expect(refused[0]!.title).toContain("another tenant");
    expect(refused[0]!.evidence["clusterTenant"]).toBe(GUEST_TENANT);
    expect(refused[0]!.remediation.command).toBeUndefined();
    expect(refused[0]!.remediation.text).toContain("multi-tenant app registration");
  });

  it("is read as before when the cluster's tenant is the scanner's own", async () => {
    const fleet = await crossTenantFleet(true);
    const cluster = fleet.azure.managedClusters.find((c) => c.name === CLUSTER)!;
    (cluster.properties!["aadProfile"] as { tenantID: string }).tenantID = fleet.azure.tenantId;
    const sameTenant = await scanOne(fleet);
    expect(sameTenant.scan.clusters.find((h) => h.cluster === CLUSTER)!.podsSeen).toBeGreaterThan(0);
  });
});
