/**
 * Contract tests for the role parts of the inventory: Azure's published example
 * of a role assignment list fed through toRoleAssignment, and the built-in role
 * table (shared/inventory/built-in-roles.ts) checked for shape.
 *
 * examples/RoleAssignments_ListForScope.json is copied byte for byte from
 * Azure/azure-rest-api-specs,
 * specification/authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/examples/RoleAssignments_ListForScope.json
 * (commit 4a84214385428e125ba8e5b439b8bc5876531321, MIT licence).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BUILT_IN_ROLE_NAMES, builtInRoleName } from "../../shared/inventory/built-in-roles.js";
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

describe("the built-in role table", () => {
  const source = readFileSync(new URL("../../shared/inventory/built-in-roles.ts", import.meta.url), "utf8");
  const keys = [...source.matchAll(/^\s*"([^"]+)": "([^"]+)",$/gm)].map((m) => m[1]!);

  it("lists lower-case GUIDs, each once, with a name", () => {
    expect(keys.length).toBeGreaterThan(50);
    expect(new Set(keys).size).toBe(keys.length);
    expect(Object.keys(BUILT_IN_ROLE_NAMES)).toHaveLength(keys.length);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    for (const name of Object.values(BUILT_IN_ROLE_NAMES)) expect(name.trim()).not.toBe("");
  });

  it("names the privileged roles", () => {
    expect(builtInRoleName("F58310D9-A9F6-439A-9E8D-F62E7B41A168")).toBe("Role Based Access Control Administrator");
    expect(builtInRoleName("8e3af657-a8ff-443c-a75c-2fe8c4bcb635")).toBe("Owner");
    expect(builtInRoleName("18d7d88d-d35e-4fb5-a5c3-7773c20a72d9")).toBe("User Access Administrator");
  });
});
