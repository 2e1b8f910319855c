/**
 * Contract tests for the role parts of the inventory: Azure's published example
 * of a role assignment list fed through toRoleAssignment. (The built-in role
 * table is checked in built-in-roles.test.ts.)
 *
 * examples/RoleAssignments_ListForScope.json is copied byte for byte from
 * Azure/azure-rest-api-specs,
 * specification/authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/examples/RoleAssignments_ListForScope.json
 * (commit 4a84214385428e125ba8e5b439b8bc5876531321, MIT licence).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { toRoleAssignment } from "../../shared/inventory/mapping.js";

interface ArmAssignment {
  id: string;
  properties: Record<string, unknown>;
}

const example = JSON.parse(readFileSync(new URL("./examples/RoleAssignments_ListForScope.json", import.meta.url), "utf8")) as {
  responses: { 200: { body: { value: ArmAssignment[] } } };
};

/** The row ROLE_ASSIGNMENTS_QUERY projects from an authorizationresources row with these ARM properties. */
function projected(a: ArmAssignment): Record<string, unknown> {
  const p = a.properties;
  return { id: a.id, principalId: p.principalId, principalType: p.principalType, roleDefinitionId: p.roleDefinitionId, scope: p.scope, condition: p.condition, conditionVersion: p.conditionVersion };
}

describe("toRoleAssignment on Azure's example", () => {
  it("maps RoleAssignments_ListForScope (tenant-level roleDefinitionId, no condition)", () => {
    const [first] = example.responses[200].body.value.map((a) => toRoleAssignment(projected(a), new Map()));
    expect(first).toEqual({
      id: "/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2/providers/Microsoft.Authorization/roleAssignments/b0f43c54-e787-4862-89b1-a653fa9cf747",
      principalId: "ce2ce14e-85d7-4629-bdbc-454d0519d987",
      principalType: "User",
      roleDefinitionId: "/providers/Microsoft.Authorization/roleDefinitions/0b5fe924-9a61-425c-96af-cfe6e287ca2d",
      scope: "/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2",
    });
  });

  it("keeps condition and conditionVersion when the properties carry them (RoleAssignmentProperties, 2022-04-01)", () => {
    const [item] = example.responses[200].body.value;
    const withCondition = { ...item!, properties: { ...item!.properties, condition: "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'x'", conditionVersion: "2.0" } };
    expect(toRoleAssignment(projected(withCondition), new Map())).toMatchObject({ conditionVersion: "2.0", condition: expect.stringContaining("StringEquals") });
  });
});
