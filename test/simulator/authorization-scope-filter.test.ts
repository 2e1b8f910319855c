/**
 * The simulated Resource Graph returns role assignments and definitions by
 * options.authorizationScopeFilter as Azure does: AtScopeAndBelow when the
 * request does not say (azure-rest-api-specs, resourcegraph stable/2024-04-01
 * resourcegraph.json, QueryRequestOptions), so an assignment on a management
 * group or "/" stays hidden from a subscription query unless asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuthorizationScopeFilter } from "@azure/arm-resourcegraph";
import type { Simulator } from "../../simulator/index.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";
import { MG_OWNER_ASSIGNMENT_ID, MG_PAYMENTS, ROOT_READER_ASSIGNMENT_ID, SUB_A, SUB_B, inheritedRolesFleet } from "../support/inherited-roles-fleet.js";

const ASSIGNMENTS = "authorizationresources | where type =~ 'microsoft.authorization/roleassignments' | project id, scope = properties.scope | order by id asc";
const DEFINITIONS = "authorizationresources | where type =~ 'microsoft.authorization/roledefinitions' | project id, subscriptionId, type = properties.type | order by id asc";

describe("authorizationScopeFilter in the simulated Resource Graph", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startFleetSimulator({ fleet: await inheritedRolesFleet(), faults: { resourceGraphQuota: null } });
  });
  afterAll(() => sim.close());

  const scopesOf = async (request: { subscriptions?: string[]; managementGroups?: string[] }, filter?: AuthorizationScopeFilter) => {
    const page = await clientsFor(sim).resourceGraph.resources({ query: ASSIGNMENTS, ...request, ...(filter && { options: { authorizationScopeFilter: filter } }) });
    return (page.data as Array<{ id: string; scope: string }>).map((r) => r.scope);
  };

  it("defaults to AtScopeAndBelow: a subscription query does not see what it inherits", async () => {
    const scopes = await scopesOf({ subscriptions: [SUB_A] });
    expect(scopes.length).toBeGreaterThan(0);
    expect(scopes.every((s) => s.toLowerCase().startsWith(`/subscriptions/${SUB_A}`))).toBe(true);
  });

  it("returns the management group and root assignments above the subscriptions when asked", async () => {
    const above = await scopesOf({ subscriptions: [SUB_A] }, "AtScopeAboveAndBelow");
    expect(above).toContain(`/providers/Microsoft.Management/managementGroups/${MG_PAYMENTS}`);
    expect(above).toContain("/");
    // Below too: the storage account assignment in SUB_A.
    expect(above.some((s) => s.includes("/storageAccounts/"))).toBe(true);
    // Not another branch's subscription.
    expect(above.some((s) => s.toLowerCase().startsWith(`/subscriptions/${SUB_B}`))).toBe(false);
  });

  it("follows the subscription's management-group chain: another branch does not inherit mg-payments", async () => {
    const above = await scopesOf({ subscriptions: [SUB_B] }, "AtScopeAndAbove");
    expect(above).toContain("/");
    expect(above).toContain(`/subscriptions/${SUB_B}`);
    expect(above.some((s) => s.includes(MG_PAYMENTS))).toBe(false);
    // AtScopeAndAbove leaves out what is below the subscription.
    expect(above.every((s) => s === "/" || s === `/subscriptions/${SUB_B}`)).toBe(true);
  });

  it("AtScopeExact on a management group returns only its own assignments", async () => {
    const page = await clientsFor(sim).resourceGraph.resources({ query: ASSIGNMENTS, managementGroups: [MG_PAYMENTS], options: { authorizationScopeFilter: "AtScopeExact" } });
    expect((page.data as Array<{ id: string }>).map((r) => r.id)).toEqual([MG_OWNER_ASSIGNMENT_ID]);
  });

  it("a tenant query is at '/' and below it: every assignment", async () => {
    const scopes = await scopesOf({});
    expect(scopes).toContain("/");
    expect(scopes.some((s) => s.includes(MG_PAYMENTS))).toBe(true);
    const exact = await clientsFor(sim).resourceGraph.resources({ query: ASSIGNMENTS, options: { authorizationScopeFilter: "AtScopeExact" } });
    expect((exact.data as Array<{ id: string }>).map((r) => r.id)).toEqual([ROOT_READER_ASSIGNMENT_ID]);
  });

  it("lists built-in role definitions once per subscription and marks the fleet's definitions CustomRole", async () => {
    const page = await clientsFor(sim).resourceGraph.resources({ query: DEFINITIONS, subscriptions: [SUB_A, SUB_B] });
    const rows = page.data as Array<{ id: string; subscriptionId: string; type: string }>;
    const owners = rows.filter((r) => r.id.toLowerCase().endsWith("/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"));
    expect(owners.map((r) => r.subscriptionId).sort()).toEqual([SUB_A, SUB_B].sort());
    expect(rows.filter((r) => r.type === "CustomRole").map((r) => r.id)).toEqual([
      `/subscriptions/${SUB_B}/providers/Microsoft.Authorization/roleDefinitions/9f8e7d6c-0001-4b5a-8c7d-6e5f4a3b2c1d`,
    ]);
  });

  it("refuses a filter value the API does not define", async () => {
    await expect(
      clientsFor(sim).resourceGraph.resources({ query: ASSIGNMENTS, subscriptions: [SUB_A], options: { authorizationScopeFilter: "Everything" as AuthorizationScopeFilter } }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
