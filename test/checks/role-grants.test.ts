/**
 * identity.over-privileged and identity.no-role-assignments on the cases real
 * tenants have: grants inherited from a management group or "/", Role Based
 * Access Control Administrator, and privileged roles with an ABAC condition.
 */
import { describe, expect, it } from "vitest";
import { conditionEffect } from "../../shared/checks/role-conditions.js";
import { PRIVILEGED_ROLES } from "../../shared/checks/workload-identity.js";
import { fires, healthyFleet, only, quiet, roleAssignment } from "./builders.js";
import { DELEGATE_BLOB_READER_ONLY, OWNER, USER_ACCESS_ADMINISTRATOR } from "../support/inherited-roles-fleet.js";

const MG = "/providers/Microsoft.Management/managementGroups/mg-payments";
const RBAC_ADMINISTRATOR = "f58310d9-a9f6-439a-9e8d-f62e7b41a168";
const PRIVILEGED = Object.keys(PRIVILEGED_ROLES);
const definition = (guid: string) => `/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const assignmentId = (scope: string, n: string) => `${scope === "/" ? "" : scope}/providers/Microsoft.Authorization/roleAssignments/0b7d3c1e-000${n}-4d2e-9f3a-5b6c7d8e9f0${n}`;

/**
 * Microsoft's example "Allow most roles, but don't allow others to assign roles" excludes Owner, UAA and RBAC
 * Administrator (learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-portal) but not Contributor.
 */
const EXCLUDE_ADMIN_ROLES =
  "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR " +
  `(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAllValues:GuidNotEquals {${OWNER}, ${USER_ACCESS_ADMINISTRATOR}, ${RBAC_ADMINISTRATOR}}))`;

describe("grants inherited from above the subscription", () => {
  it("identity.over-privileged reports Owner on a management group and Contributor on '/'", () => {
    const fleet = healthyFleet();
    fleet.inventory.roleAssignments = [
      roleAssignment({ id: assignmentId(MG, "1"), roleDefinitionId: definition(OWNER), scope: MG }),
      roleAssignment({ id: assignmentId("/", "2"), roleDefinitionId: definition("b24988ac-6180-42a0-ab88-20f7382dd24c"), scope: "/" }),
    ];
    const found = fires("identity.over-privileged", fleet);
    expect(found.map((f) => f.resource.name).sort()).toEqual(["Contributor at /", `Owner at ${MG}`]);
    expect(found.every((f) => f.severity === "high")).toBe(true);
  });

  it("identity.no-role-assignments stays quiet for an identity whose only grant sits on a management group", () => {
    const fleet = healthyFleet();
    fleet.inventory.roleAssignments = [roleAssignment({ id: assignmentId(MG, "3"), roleDefinitionId: definition("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"), scope: MG })];
    quiet("identity.no-role-assignments", fleet);
  });

  it("a failed custom-role read does not silence the role checks (names only)", () => {
    const fleet = healthyFleet();
    fleet.inventory.roleAssignments = [];
    fleet.inventory.errors = [{ kind: "forbidden", operation: "customRoleDefinitions", message: "denied" }];
    fires("identity.no-role-assignments", fleet);
  });
});

describe("Role Based Access Control Administrator", () => {
  it("is privileged: it can assign Owner", () => {
    const fleet = healthyFleet();
    fleet.inventory.roleAssignments = [roleAssignment({ id: assignmentId("/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590", "4"), roleDefinitionId: definition(RBAC_ADMINISTRATOR), scope: "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590" })];
    const f = only(fires("identity.over-privileged", fleet));
    expect(f).toMatchObject({ severity: "high", evidence: { role: "Role Based Access Control Administrator" } });
  });
});

describe("conditioned privileged assignments", () => {
  const conditioned = (role: string, condition: string) => {
    const fleet = healthyFleet();
    const scope = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590";
    fleet.inventory.roleAssignments = [roleAssignment({ id: assignmentId(scope, "5"), roleDefinitionId: definition(role), scope, condition, conditionVersion: "2.0" })];
    return only(fires("identity.over-privileged", fleet));
  };

  it("User Access Administrator limited to assigning Storage Blob Data Reader is medium, the condition in evidence", () => {
    const f = conditioned(USER_ACCESS_ADMINISTRATOR, DELEGATE_BLOB_READER_ONLY);
    expect(f.severity).toBe("medium");
    expect(f.title).toContain("limited by a condition");
    expect(f.evidence).toMatchObject({ condition: DELEGATE_BLOB_READER_ONLY, conditionVersion: "2.0", conditionEffect: "limits delegation to non-privileged roles" });
  });

  it("a condition that still lets it assign Contributor leaves it high", () => {
    const f = conditioned(RBAC_ADMINISTRATOR, EXCLUDE_ADMIN_ROLES);
    expect(f.severity).toBe("high");
    expect(String(f.evidence.conditionEffect)).toContain("b24988ac-6180-42a0-ab88-20f7382dd24c");
  });

  it("a condition on Owner does not limit Owner's control of the resources", () => {
    const f = conditioned(OWNER, DELEGATE_BLOB_READER_ONLY);
    expect(f.severity).toBe("high");
    expect(String(f.evidence.conditionEffect)).toContain("role assignment actions only");
  });
});

describe("conditionEffect", () => {
  it("reads GuidEquals and GuidNotEquals role lists", () => {
    expect(conditionEffect(USER_ACCESS_ADMINISTRATOR, DELEGATE_BLOB_READER_ONLY, PRIVILEGED)).toEqual({ kind: "limits-delegation" });
    expect(conditionEffect(USER_ACCESS_ADMINISTRATOR, EXCLUDE_ADMIN_ROLES, PRIVILEGED.filter((g) => g !== "b24988ac-6180-42a0-ab88-20f7382dd24c"))).toEqual({ kind: "limits-delegation" });
    expect(conditionEffect(USER_ACCESS_ADMINISTRATOR, `@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${OWNER.toUpperCase()}}`, PRIVILEGED)).toMatchObject({ kind: "does-not-limit" });
  });

  it("a condition on principal types only does not limit which roles can be granted", () => {
    const byType = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:PrincipalType] ForAnyOfAnyValues:StringEqualsIgnoreCase {'ServicePrincipal'}))";
    expect(conditionEffect(USER_ACCESS_ADMINISTRATOR, byType, PRIVILEGED)).toMatchObject({ kind: "does-not-limit" });
    expect(conditionEffect(USER_ACCESS_ADMINISTRATOR, undefined, PRIVILEGED)).toEqual({ kind: "none" });
  });
});
