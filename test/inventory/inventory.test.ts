import { afterEach, describe, expect, it } from "vitest";
import { collectApplications, collectInventory } from "../../shared/inventory/index.js";
import type { Simulator } from "../../simulator/index.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";

const SUB_A = "6b0b5a4e-1c2d-4e3f-8a9b-0c1d2e3f4a01";
const SUB_B = "6b0b5a4e-1c2d-4e3f-8a9b-0c1d2e3f4a02";
const LEGACY_APP_ID = "b16b00b5-0001-4c3d-8e9f-aaaaaaaaaaaa";
const PAYMENTS_CLIENT_ID = "c0ffee00-0001-4abc-8def-111111111111";
const NO_QUOTA = { resourceGraphQuota: null };

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe("collectInventory", () => {
  it("reads every page of every subscription batch", async () => {
    // One row per page and one subscription per query: the simulator refuses a
    // query naming two subscriptions, so an unbatched inventory would fail.
    sim = await startFleetSimulator({ resourceGraphPageSize: 1, resourceGraphMaxSubscriptions: 1, faults: NO_QUOTA });
    const inventory = await collectInventory(clientsFor(sim), { subscriptionBatchSize: 1 });

    expect(inventory.errors).toEqual([]);
    expect(inventory.complete).toBe(true);
    expect(inventory.tenantId).toBe("3f2a1b6c-9d8e-4f70-a1b2-c3d4e5f60718");
    expect(inventory.subscriptions).toEqual([
      { subscriptionId: SUB_A, displayName: "payments-prod" },
      { subscriptionId: SUB_B, displayName: "platform-dev" },
    ]);
    expect(inventory.clusters.map((c) => c.name).sort()).toEqual(["checkout-aks", "orders-aks", "payments-aks", "platform-aks", "sandbox-aks"]);
    expect(inventory.identities.map((i) => i.name).sort()).toEqual(["checkout-id", "orphan-id", "payments-api-id", "platform-id"]);
    // Every attempt is counted, on both sides of the wire.
    expect(inventory.requests.resourceGraph).toBe(sim.requestCounts().resourceGraph);
    expect(inventory.requests.resourceGraph).toBeGreaterThanOrEqual(15);
  });

  it("maps the cluster settings the checks depend on", async () => {
    sim = await startFleetSimulator({ faults: NO_QUOTA });
    const inventory = await collectInventory(clientsFor(sim));
    const byName = new Map(inventory.clusters.map((c) => [c.name, c]));

    expect(byName.get("payments-aks")).toEqual({
      id: `/subscriptions/${SUB_A}/resourceGroups/payments-rg/providers/Microsoft.ContainerService/managedClusters/payments-aks`,
      name: "payments-aks",
      subscriptionId: SUB_A,
      resourceGroup: "payments-rg",
      location: "westeurope",
      tenantId: "3f2a1b6c-9d8e-4f70-a1b2-c3d4e5f60718",
      fqdn: "payments-aks-dns-1a2b3c4d.hcp.westeurope.azmk8s.io",
      isPrivate: false,
      oidcIssuerEnabled: true,
      oidcIssuerUrl: "https://westeurope.oic.prod-aks.azure.com/3f2a1b6c-9d8e-4f70-a1b2-c3d4e5f60718/8a7c1e2f-3b4d-4c5e-9f60-718293a4b5c6/",
      workloadIdentityEnabled: true,
      localAccountsDisabled: false,
      kubernetesVersion: "1.30.6",
      powerState: "Running",
    });
    expect(byName.get("checkout-aks")).toMatchObject({
      isPrivate: true,
      privateFqdn: "checkout-aks-5e6f7a8b.privatelink.westeurope.azmk8s.io",
      aad: { managed: true, azureRbac: true, tenantId: "3f2a1b6c-9d8e-4f70-a1b2-c3d4e5f60718" },
      localAccountsDisabled: true,
    });
    expect(byName.get("checkout-aks")?.fqdn).toBeUndefined();
    expect(byName.get("orders-aks")).toMatchObject({ powerState: "Stopped", oidcIssuerEnabled: false, workloadIdentityEnabled: false });
    expect(byName.get("orders-aks")?.aad).toBeUndefined();
  });

  it("names the roles of role assignments, built-in and custom", async () => {
    sim = await startFleetSimulator({ faults: NO_QUOTA });
    const inventory = await collectInventory(clientsFor(sim));
    const byPrincipal = new Map(inventory.roleAssignments.map((a) => [a.principalId, a]));
    expect(byPrincipal.get("a1b2c3d4-0001-4e5f-8a9b-111111111111")).toMatchObject({
      roleName: "Storage Blob Data Reader",
      principalType: "ServicePrincipal",
      scope: `/subscriptions/${SUB_A}/resourceGroups/payments-rg/providers/Microsoft.Storage/storageAccounts/paymentsdata`,
    });
    expect(byPrincipal.get("a1b2c3d4-0003-4e5f-8a9b-333333333333")?.roleName).toBe("DNS Zone Record Writer");
  });

  it("reads only the subscriptions it is given and says the inventory is then incomplete", async () => {
    sim = await startFleetSimulator({ faults: NO_QUOTA });
    const inventory = await collectInventory(clientsFor(sim), { subscriptions: [SUB_B] });
    expect(inventory.subscriptions).toEqual([{ subscriptionId: SUB_B, displayName: "platform-dev" }]);
    expect(inventory.clusters.map((c) => c.name).sort()).toEqual(["platform-aks", "sandbox-aks"]);
    expect(inventory.complete).toBe(false);
  });

  it("survives a 429 with Retry-After and reads everything on the retry", async () => {
    sim = await startFleetSimulator({
      faults: { resourceGraphQuota: null, rules: [{ family: "resourceGraph", fault: "status", status: 429, retryAfterSeconds: 1, count: 1 }] },
    });
    const clients = clientsFor(sim);
    const throttled = await collectInventory(clients);
    const calm = await collectInventory(clients);

    expect(throttled.errors).toEqual([]);
    expect(throttled.clusters).toEqual(calm.clusters);
    expect(throttled.identities).toEqual(calm.identities);
    expect(throttled.requests.resourceGraph).toBe(calm.requests.resourceGraph + 1);
  });

  it("waits when the quota headers say the quota is spent instead of getting throttled", async () => {
    sim = await startFleetSimulator({ faults: NO_QUOTA });
    const baseline = await collectInventory(clientsFor(sim));
    await sim.close();

    sim = await startFleetSimulator({ faults: { resourceGraphQuota: { limit: 3, windowSeconds: 1 } } });
    const inventory = await collectInventory(clientsFor(sim));
    expect(inventory.errors).toEqual([]);
    expect(inventory.clusters).toEqual(baseline.clusters);
    // No 429 was provoked: not one request more than without a quota.
    expect(sim.requestCounts().resourceGraph).toBe(baseline.requests.resourceGraph);
  });

  it("records a throttled inventory as an error rather than throwing", async () => {
    sim = await startFleetSimulator({
      faults: { resourceGraphQuota: null, rules: [{ family: "resourceGraph", path: "Microsoft.ResourceGraph", fault: "status", status: 429, retryAfterSeconds: 0 }] },
    });
    const inventory = await collectInventory(clientsFor(sim, { maxRetries: 1 }));
    expect(inventory.complete).toBe(false);
    expect(inventory.errors.map((e) => e.kind)).toContain("throttled");
    expect(inventory.clusters).toEqual([]);
  });

  it("lists the federated credentials of each identity", async () => {
    sim = await startFleetSimulator({ armPageSize: 1, faults: NO_QUOTA });
    const inventory = await collectInventory(clientsFor(sim), { concurrency: 2 });
    const byName = new Map(inventory.identities.map((i) => [i.name, i]));

    expect(byName.get("payments-api-id")).toMatchObject({
      clientId: PAYMENTS_CLIENT_ID,
      principalId: "a1b2c3d4-0001-4e5f-8a9b-111111111111",
      tenantId: "3f2a1b6c-9d8e-4f70-a1b2-c3d4e5f60718",
      federatedCredentialsKnown: true,
      federatedCredentials: [
        {
          name: "payments-aks-api",
          issuer: "https://westeurope.oic.prod-aks.azure.com/3f2a1b6c-9d8e-4f70-a1b2-c3d4e5f60718/8a7c1e2f-3b4d-4c5e-9f60-718293a4b5c6/",
          trust: { kind: "exact", subject: "system:serviceaccount:payments:api" },
          audiences: ["api://AzureADTokenExchange"],
        },
      ],
    });
    // Two credentials on pages of one: the nextLink was followed.
    expect(byName.get("platform-id")?.federatedCredentials.map((f) => f.name)).toEqual(["platform-aks-dns", "platform-aks-certs"]);
    expect(byName.get("orphan-id")).toMatchObject({ federatedCredentials: [], federatedCredentialsKnown: true });
    expect(inventory.requests.arm).toBeGreaterThanOrEqual(5);
  });

  it("marks the credentials of an identity it may not read as unknown, naming the permission", async () => {
    sim = await startFleetSimulator({ faults: { resourceGraphQuota: null, rules: [{ family: "arm", path: "/checkout-id/federatedIdentityCredentials", fault: "forbidden" }] } });
    const inventory = await collectInventory(clientsFor(sim));
    const checkout = inventory.identities.find((i) => i.name === "checkout-id");
    expect(checkout).toMatchObject({ federatedCredentials: [], federatedCredentialsKnown: false });
    expect(inventory.errors).toEqual([
      expect.objectContaining({ kind: "forbidden", operation: "federatedIdentityCredentials", resource: checkout?.id, permission: expect.stringContaining("Reader") }),
    ]);
    expect(inventory.identities.find((i) => i.name === "payments-api-id")?.federatedCredentialsKnown).toBe(true);
  });

  it("looks up app registrations for client ids that no managed identity owns", async () => {
    sim = await startFleetSimulator({ faults: NO_QUOTA });
    const inventory = await collectInventory(clientsFor(sim), {
      appClientIds: [LEGACY_APP_ID, PAYMENTS_CLIENT_ID, "00000000-0000-4000-8000-000000000000"],
    });
    expect(inventory.applications).toEqual([
      {
        objectId: "e7d6c5b4-0001-4a3b-9c8d-aaaaaaaaaaaa",
        appId: LEGACY_APP_ID,
        displayName: "legacy-batch",
        tenantId: "3f2a1b6c-9d8e-4f70-a1b2-c3d4e5f60718",
        homeTenantId: "3f2a1b6c-9d8e-4f70-a1b2-c3d4e5f60718",
        signInAudience: "AzureADMyOrg",
        servicePrincipalId: "5e5e5e5e-0001-4a3b-9c8d-aaaaaaaaaaaa",
        federatedCredentials: [
          {
            id: "f1c00001-0001-4a3b-9c8d-aaaaaaaaaaaa",
            name: "platform-aks-batch",
            issuer: "https://westeurope.oic.prod-aks.azure.com/3f2a1b6c-9d8e-4f70-a1b2-c3d4e5f60718/c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f/",
            trust: { kind: "exact", subject: "system:serviceaccount:batch:runner" },
            audiences: ["api://AzureADTokenExchange"],
          },
        ],
      },
    ]);
    expect(inventory.requests.graph).toBe(sim.requestCounts().graph);
  });
});

describe("collectApplications", () => {
  it("reports a Graph permission it lacks instead of throwing", async () => {
    sim = await startFleetSimulator({ faults: { rules: [{ family: "graph", fault: "forbidden" }] } });
    const result = await collectApplications(clientsFor(sim).graph, [LEGACY_APP_ID], { tenantId: sim.tenantId });
    expect(result.applications).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ kind: "forbidden", operation: "applications", permission: expect.stringContaining("Application.Read.All") })]);
  });

  it("follows @odata.nextLink through the credentials of an application", async () => {
    sim = await startFleetSimulator({ graphPageSize: 1 });
    const fleet = sim.fleet;
    const app = fleet.azure.applications[0];
    if (!app) throw new Error("mini fleet has an application");
    app.federatedIdentityCredentials = [
      ...(app.federatedIdentityCredentials ?? []),
      { name: "second", issuer: "https://issuer.example/", subject: "system:serviceaccount:a:b", audiences: ["api://AzureADTokenExchange"] },
    ];
    const result = await collectApplications(clientsFor(sim).graph, [LEGACY_APP_ID.toUpperCase()], { tenantId: sim.tenantId });
    expect(result.errors).toEqual([]);
    expect(result.applications[0]?.federatedCredentials.map((f) => f.name)).toEqual(["platform-aks-batch", "second"]);
  });
});
