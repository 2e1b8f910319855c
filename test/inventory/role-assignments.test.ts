/**
 * Role assignments as the inventory reads them from a Resource Graph that
 * behaves as Azure's: inherited assignments (management group, "/") only when
 * asked for with authorizationScopeFilter, conditions kept, role names from the
 * built-in table plus custom roles, and a failed custom-role read that costs
 * names only.
 */
import { afterEach, describe, expect, it } from "vitest";
import { collectInventory } from "../../shared/inventory/index.js";
import { collectRoleNames } from "../../shared/inventory/role-names.js";
import { QuotaGate } from "../../shared/inventory/resource-graph.js";
import type { InventoryError } from "../../shared/inventory/model.js";
import type { Simulator } from "../../simulator/index.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";
import {
  CHECKOUT_PRINCIPAL,
  CONDITIONED_UAA_ASSIGNMENT_ID,
  DELEGATE_BLOB_READER_ONLY,
  MG_OWNER_ASSIGNMENT_ID,
  MG_PAYMENTS_SCOPE,
  ORPHAN_PRINCIPAL,
  ROOT_READER_ASSIGNMENT_ID,
  SUB_A,
  SUB_B,
  inheritedRolesFleet,
} from "../support/inherited-roles-fleet.js";

const NO_QUOTA = { resourceGraphQuota: null };

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe("role assignments in the inventory", () => {
  it("returns assignments inherited from a management group and from '/' for the subscriptions it scans", async () => {
    sim = await startFleetSimulator({ fleet: await inheritedRolesFleet(), faults: NO_QUOTA });
    const inventory = await collectInventory(clientsFor(sim), { subscriptions: [SUB_A, SUB_B] });
    const byId = new Map(inventory.roleAssignments.map((a) => [a.id, a]));

    expect(byId.get(MG_OWNER_ASSIGNMENT_ID)).toMatchObject({ principalId: CHECKOUT_PRINCIPAL, roleName: "Owner", scope: MG_PAYMENTS_SCOPE });
    expect(byId.get(ROOT_READER_ASSIGNMENT_ID)).toMatchObject({ principalId: ORPHAN_PRINCIPAL, roleName: "Reader", scope: "/" });
    // Still the assignments below the subscriptions.
    expect([...byId.values()].some((a) => a.scope.includes("/storageAccounts/paymentsdata"))).toBe(true);
    // Read once each, although both subscription batches inherit "/".
    expect(inventory.roleAssignments.filter((a) => a.id === ROOT_READER_ASSIGNMENT_ID)).toHaveLength(1);
    expect(inventory.errors).toEqual([]);
  });

  it("keeps the condition of a conditioned assignment", async () => {
    sim = await startFleetSimulator({ fleet: await inheritedRolesFleet(), faults: NO_QUOTA });
    const inventory = await collectInventory(clientsFor(sim));
    expect(inventory.roleAssignments.find((a) => a.id === CONDITIONED_UAA_ASSIGNMENT_ID)).toMatchObject({
      roleName: "User Access Administrator",
      condition: DELEGATE_BLOB_READER_ONLY,
      conditionVersion: "2.0",
    });
  });

  it("names built-in roles from its own table and asks Resource Graph for custom roles only", async () => {
    sim = await startFleetSimulator({ faults: NO_QUOTA });
    const inventory = await collectInventory(clientsFor(sim));
    const names = new Set(inventory.roleAssignments.map((a) => a.roleName));
    expect(names).toContain("Storage Blob Data Reader");
    expect(names).toContain("DNS Zone Record Writer");
  });

  it("a failed custom-role read leaves an error and the GUID, never a gap in the inventory", async () => {
    sim = await startFleetSimulator({ faults: { resourceGraphQuota: null, rules: [{ family: "resourceGraph", fault: "forbidden" }] } });
    const errors: InventoryError[] = [];
    const names = await collectRoleNames(clientsFor(sim).resourceGraph, [{ scope: { subscriptions: [SUB_B] }, label: SUB_B }], new QuotaGate(), errors);

    expect(names.get("8e3af657-a8ff-443c-a75c-2fe8c4bcb635")).toBe("Owner");
    expect(names.has("9f8e7d6c-0001-4b5a-8c7d-6e5f4a3b2c1d")).toBe(false);
    expect(errors).toEqual([expect.objectContaining({ kind: "forbidden", operation: "customRoleDefinitions", resource: SUB_B })]);
  });
});
