/**
 * The mini fleet with role assignments above its subscriptions: Owner for
 * checkout-id on a management group, Reader on "/" for orphan-id, the
 * subscriptions' management-group chains (as Resource Graph's
 * managementGroupAncestorsChain), and a User Access Administrator limited by
 * an RBAC-delegation condition for platform-id. For the inherited-assignment
 * tests of the simulator, the inventory and the checks.
 */
import { loadFleet, type FleetDescription } from "../../simulator/index.js";
import type { ArmObject } from "../../simulator/fleet/model.js";
import { MINI_FLEET_DIR } from "./simulator.js";

export const SUB_A = "6b0b5a4e-1c2d-4e3f-8a9b-0c1d2e3f4a01";
export const SUB_B = "6b0b5a4e-1c2d-4e3f-8a9b-0c1d2e3f4a02";
export const MG_PAYMENTS = "mg-payments";
export const MG_PAYMENTS_SCOPE = `/providers/Microsoft.Management/managementGroups/${MG_PAYMENTS}`;
export const CHECKOUT_PRINCIPAL = "a1b2c3d4-0002-4e5f-8a9b-222222222222";
export const PLATFORM_PRINCIPAL = "a1b2c3d4-0003-4e5f-8a9b-333333333333";
export const ORPHAN_PRINCIPAL = "a1b2c3d4-0004-4e5f-8a9b-444444444444";
export const OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
export const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
export const USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";
export const STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";

/**
 * "Constrain roles" delegation condition (learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-examples):
 * role assignments may only be written or deleted for Storage Blob Data Reader.
 */
export const DELEGATE_BLOB_READER_ONLY =
  "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR " +
  `(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${STORAGE_BLOB_DATA_READER}})) AND ` +
  "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR " +
  `(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${STORAGE_BLOB_DATA_READER}}))`;

export const MG_OWNER_ASSIGNMENT_ID = `${MG_PAYMENTS_SCOPE}/providers/Microsoft.Authorization/roleAssignments/0b7d3c1e-0001-4d2e-9f3a-5b6c7d8e9f01`;
export const ROOT_READER_ASSIGNMENT_ID = "/providers/Microsoft.Authorization/roleAssignments/0b7d3c1e-0002-4d2e-9f3a-5b6c7d8e9f02";
export const CONDITIONED_UAA_ASSIGNMENT_ID = `/subscriptions/${SUB_B}/providers/Microsoft.Authorization/roleAssignments/0b7d3c1e-0003-4d2e-9f3a-5b6c7d8e9f03`;

function assignment(id: string, scope: string, principalId: string, role: string, extra: Record<string, unknown> = {}): ArmObject {
  return {
    id,
    name: id.split("/").pop()!,
    type: "Microsoft.Authorization/roleAssignments",
    properties: { principalId, principalType: "ServicePrincipal", roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${role}`, scope, ...extra },
  };
}

export async function inheritedRolesFleet(): Promise<FleetDescription> {
  const fleet = await loadFleet(MINI_FLEET_DIR);
  const { azure } = fleet;
  azure.subscriptions = azure.subscriptions.map((s) => ({
    ...s,
    managementGroupAncestorsChain: [{ name: s.subscriptionId === SUB_A ? MG_PAYMENTS : "mg-platform" }, { name: azure.tenantId, displayName: "Tenant Root Group" }],
  }));
  azure.roleAssignments = [
    ...azure.roleAssignments,
    assignment(MG_OWNER_ASSIGNMENT_ID, MG_PAYMENTS_SCOPE, CHECKOUT_PRINCIPAL, OWNER),
    assignment(ROOT_READER_ASSIGNMENT_ID, "/", ORPHAN_PRINCIPAL, READER),
    assignment(CONDITIONED_UAA_ASSIGNMENT_ID, `/subscriptions/${SUB_B}`, PLATFORM_PRINCIPAL, USER_ACCESS_ADMINISTRATOR, {
      condition: DELEGATE_BLOB_READER_ONLY,
      conditionVersion: "2.0",
    }),
  ];
  return fleet;
}
