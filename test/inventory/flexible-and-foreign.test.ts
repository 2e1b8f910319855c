/**
 * Flexible federated credentials and apps registered in another tenant,
 * against the simulator behaving as Azure does: first what the simulator
 * serves (raw requests), then what the inventory makes of it, then that the
 * fleet loader accepts both real shapes.
 */
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { collectApplications, collectInventory } from "../../shared/inventory/index.js";
import { FleetValidationError, loadFleet } from "../../simulator/fleet/load.js";
import type { FleetDescription } from "../../simulator/fleet/model.js";
import type { Simulator } from "../../simulator/index.js";
import { MINI_FLEET_DIR, accessToken, clientsFor, httpsRequest, startFleetSimulator } from "../support/simulator.js";

const TENANT = "3f2a1b6c-9d8e-4f70-a1b2-c3d4e5f60718";
const LEGACY_APP_ID = "b16b00b5-0001-4c3d-8e9f-aaaaaaaaaaaa";
const LEGACY_OBJECT_ID = "e7d6c5b4-0001-4a3b-9c8d-aaaaaaaaaaaa";
const FOREIGN_APP_ID = "f0e1d2c3-0001-4b5a-8c7d-bbbbbbbbbbbb";
const FOREIGN_SP_ID = "5e5e5e5e-0002-4a3b-9c8d-bbbbbbbbbbbb";
const HOME_TENANT = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const PAYMENTS_IDENTITY =
  "/subscriptions/6b0b5a4e-1c2d-4e3f-8a9b-0c1d2e3f4a01/resourceGroups/payments-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/payments-api-id";
const GITHUB = "https://token.actions.githubusercontent.com";
const GH_EXPRESSION = { value: "claims['sub'] matches 'repo:contoso/payments:*'", languageVersion: 1 };
const NO_QUOTA = { resourceGraphQuota: null };

/** The mini fleet plus a flexible credential on a managed identity and on an app, and a foreign service principal. */
async function fleetWithFlexibleAndForeign(): Promise<FleetDescription> {
  const fleet = await loadFleet(MINI_FLEET_DIR);
  const azure = fleet.azure;
  azure.federatedIdentityCredentials[PAYMENTS_IDENTITY]!.push({
    id: `${PAYMENTS_IDENTITY}/federatedIdentityCredentials/gh-deploy`,
    name: "gh-deploy",
    properties: { issuer: GITHUB, audiences: ["api://AzureADTokenExchange"], claimsMatchingExpression: GH_EXPRESSION },
  });
  azure.applications[0]!.federatedIdentityCredentials!.push({ name: "gh-deploy", issuer: GITHUB, subject: null, claimsMatchingExpression: GH_EXPRESSION, audiences: ["api://AzureADTokenExchange"] });
  azure.servicePrincipals.push({ id: FOREIGN_SP_ID, appId: FOREIGN_APP_ID, displayName: "partner-sync", appOwnerOrganizationId: HOME_TENANT, signInAudience: "AzureADMultipleOrgs" });
  return fleet;
}

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe("the simulator serves flexible credentials and foreign service principals as Azure does", () => {
  it("ARM: 2025-01-31-preview returns claimsMatchingExpression, the stable 2024-11-30 omits it; neither has a subject", async () => {
    sim = await startFleetSimulator({ fleet: await fleetWithFlexibleAndForeign(), faults: NO_QUOTA });
    const headers = { authorization: `Bearer ${await accessToken(sim)}` };
    const url = (version: string) => `${sim!.armEndpoint}${PAYMENTS_IDENTITY}/federatedIdentityCredentials/gh-deploy?api-version=${version}`;
    const preview = await httpsRequest(sim, url("2025-01-31-preview"), { headers });
    expect(preview.status).toBe(200);
    expect((preview.body as { properties: unknown }).properties).toEqual({ issuer: GITHUB, audiences: ["api://AzureADTokenExchange"], claimsMatchingExpression: GH_EXPRESSION });
    const stable = await httpsRequest(sim, url("2024-11-30"), { headers });
    expect((stable.body as { properties: unknown }).properties).toEqual({ issuer: GITHUB, audiences: ["api://AzureADTokenExchange"] });
  });

  it("Graph: v1.0 returns subject null and no expression, beta returns the expression; the foreign app is a service principal only", async () => {
    sim = await startFleetSimulator({ fleet: await fleetWithFlexibleAndForeign(), faults: NO_QUOTA });
    const headers = { authorization: `Bearer ${await accessToken(sim, "https://graph.microsoft.com/.default")}` };
    const v1 = await httpsRequest(sim, `${sim.graphEndpoint}/v1.0/applications/${LEGACY_OBJECT_ID}/federatedIdentityCredentials`, { headers });
    const v1Flexible = (v1.body as { value: Array<Record<string, unknown>> }).value.find((c) => c.name === "gh-deploy");
    expect(v1Flexible).toMatchObject({ subject: null, issuer: GITHUB });
    expect(v1Flexible).not.toHaveProperty("claimsMatchingExpression");
    const beta = await httpsRequest(sim, `${sim.graphEndpoint}/beta/applications/${LEGACY_OBJECT_ID}/federatedIdentityCredentials`, { headers });
    expect((beta.body as { value: Array<Record<string, unknown>> }).value).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "gh-deploy", subject: null, claimsMatchingExpression: GH_EXPRESSION }),
        expect.objectContaining({ name: "platform-aks-batch", subject: "system:serviceaccount:batch:runner", claimsMatchingExpression: null }),
      ]),
    );
    const filter = encodeURIComponent(`appId eq '${FOREIGN_APP_ID}'`);
    const apps = await httpsRequest(sim, `${sim.graphEndpoint}/v1.0/applications?$filter=${filter}`, { headers });
    expect((apps.body as { value: unknown[] }).value).toEqual([]);
    const sps = await httpsRequest(sim, `${sim.graphEndpoint}/v1.0/servicePrincipals?$filter=${filter}`, { headers });
    expect((sps.body as { value: unknown[] }).value).toEqual([expect.objectContaining({ id: FOREIGN_SP_ID, appOwnerOrganizationId: HOME_TENANT })]);
  });
});

describe("the inventory reads them", () => {
  it("a managed identity's flexible credential, with its expression, beside its exact one", async () => {
    sim = await startFleetSimulator({ fleet: await fleetWithFlexibleAndForeign(), faults: NO_QUOTA });
    const inventory = await collectInventory(clientsFor(sim));
    const payments = inventory.identities.find((i) => i.name === "payments-api-id");
    expect(payments?.federatedCredentialsKnown).toBe(true);
    expect(payments?.federatedCredentials.map((c) => [c.name, c.trust])).toEqual([
      ["payments-aks-api", { kind: "exact", subject: "system:serviceaccount:payments:api" }],
      ["gh-deploy", { kind: "flexible", expression: GH_EXPRESSION }],
    ]);
    expect(inventory.errors).toEqual([]);
  });

  it("an app's flexible credential, its expression read from beta because v1.0 has none, without crashing on the null subject", async () => {
    sim = await startFleetSimulator({ fleet: await fleetWithFlexibleAndForeign(), faults: NO_QUOTA });
    const { applications, errors } = await collectApplications(clientsFor(sim).graph, [LEGACY_APP_ID], { tenantId: TENANT });
    expect(errors).toEqual([]);
    expect(applications[0]?.federatedCredentials.map((c) => [c.name, c.trust])).toEqual([
      ["platform-aks-batch", { kind: "exact", subject: "system:serviceaccount:batch:runner" }],
      ["gh-deploy", { kind: "flexible", expression: GH_EXPRESSION }],
    ]);
  });

  it("a failed beta read leaves the credential flexible with no expression, and is no error", async () => {
    sim = await startFleetSimulator({ fleet: await fleetWithFlexibleAndForeign(), faults: { resourceGraphQuota: null, rules: [{ family: "graph", path: "^/beta/", fault: "forbidden" }] } });
    const { applications, errors } = await collectApplications(clientsFor(sim).graph, [LEGACY_APP_ID], { tenantId: TENANT });
    expect(errors).toEqual([]);
    expect(applications[0]?.federatedCredentials.find((c) => c.name === "gh-deploy")?.trust).toEqual({ kind: "flexible" });
  });

  it("an app registered in another tenant, found by its service principal: home tenant, audience, no credentials to read", async () => {
    sim = await startFleetSimulator({ fleet: await fleetWithFlexibleAndForeign(), faults: NO_QUOTA });
    const { applications, errors } = await collectApplications(clientsFor(sim).graph, [FOREIGN_APP_ID, LEGACY_APP_ID], { tenantId: TENANT });
    expect(errors).toEqual([]);
    expect(applications.find((a) => a.appId === FOREIGN_APP_ID)).toEqual({
      appId: FOREIGN_APP_ID,
      displayName: "partner-sync",
      tenantId: TENANT,
      homeTenantId: HOME_TENANT,
      signInAudience: "AzureADMultipleOrgs",
      servicePrincipalId: FOREIGN_SP_ID,
      federatedCredentials: [],
    });
    expect(applications.find((a) => a.appId === LEGACY_APP_ID)).toMatchObject({ objectId: LEGACY_OBJECT_ID, homeTenantId: TENANT, signInAudience: "AzureADMyOrg" });
  });
});

describe("the fleet loader", () => {
  async function withAzure(edit: (azure: Record<string, any>) => void): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "fleet-"));
    await cp(MINI_FLEET_DIR, dir, { recursive: true });
    const azure = JSON.parse(await readFile(join(dir, "azure.json"), "utf8")) as Record<string, any>;
    edit(azure);
    await writeFile(join(dir, "azure.json"), JSON.stringify(azure, null, 2));
    return dir;
  }

  it("accepts both real shapes of a flexible credential and a foreign service principal", async () => {
    const fleet = await fleetWithFlexibleAndForeign();
    const dir = await withAzure((azure) => Object.assign(azure, fleet.azure));
    await expect(loadFleet(dir)).resolves.toBeDefined();
  });

  it("refuses a credential with both a subject and an expression, or with neither", async () => {
    const dir = await withAzure((azure) => {
      azure.applications[0].federatedIdentityCredentials[0].claimsMatchingExpression = GH_EXPRESSION;
      delete azure.federatedIdentityCredentials[PAYMENTS_IDENTITY][0].properties.subject;
    });
    const problems = await loadFleet(dir).then(
      () => [],
      (error: unknown) => (error instanceof FleetValidationError ? error.problems.map((p) => `${p.field}: ${p.problem}`) : []),
    );
    expect(problems).toEqual([
      "properties.subject: is required (a string), unless claimsMatchingExpression is set",
      "subject: must be absent or null when claimsMatchingExpression is set (they are mutually exclusive)",
    ]);
  });
});
