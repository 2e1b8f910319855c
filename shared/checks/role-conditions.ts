/**
 * What an ABAC condition on a privileged role assignment leaves of the
 * privilege. A delegation condition (conditionVersion 2.0) on User Access
 * Administrator or Role Based Access Control Administrator constrains which
 * roles the principal may assign or remove, by
 * `@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {...}`
 * (or GuidNotEquals to exclude roles); the condition applies to the role
 * assignment actions only, not to the role's other actions
 * (learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-overview,
 * .../delegate-role-assignments-examples). So:
 * - on a role whose power is delegation (UAA, RBAC Administrator), a condition
 *   that lets it assign no privileged role limits it to granting lesser roles;
 * - on Owner or Contributor it leaves their control of every resource intact.
 * Pure functions only.
 */

/** Roles whose whole privilege is assigning roles: a delegation condition can limit them. */
export const DELEGATION_ROLES: ReadonlySet<string> = new Set([
  "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", // User Access Administrator
  "f58310d9-a9f6-439a-9e8d-f62e7b41a168", // Role Based Access Control Administrator
]);

export type ConditionEffect =
  | { kind: "none" }
  /** The condition lets the principal assign only roles outside `privileged`: it cannot grant itself a privileged role. */
  | { kind: "limits-delegation" }
  /** A condition we cannot show keeps the privileged roles out of reach: graded as if absent, the reason in evidence. */
  | { kind: "does-not-limit"; reason: string };

const ROLE_LIST = /RoleDefinitionId\]\s*ForAny(?:Of)?(?:Any|All)Values:Guid(Not)?Equals\s*\{([^}]*)\}/gi;

/**
 * @param roleGuid the assignment's role definition GUID (lower case)
 * @param privileged GUIDs (lower case) of roles the check counts as privileged
 */
export function conditionEffect(roleGuid: string, condition: string | undefined, privileged: readonly string[]): ConditionEffect {
  if (condition === undefined || condition.trim() === "") return { kind: "none" };
  if (!DELEGATION_ROLES.has(roleGuid)) return { kind: "does-not-limit", reason: "conditions constrain role assignment actions only; the role's other permissions stand" };
  const allowed = new Set<string>();
  const excluded = new Set<string>();
  for (const match of condition.matchAll(ROLE_LIST)) {
    const guids = (match[2] ?? "").split(",").map((g) => g.trim().toLowerCase()).filter((g) => g !== "");
    for (const g of guids) (match[1] ? excluded : allowed).add(g);
  }
  if (allowed.size === 0 && excluded.size === 0) return { kind: "does-not-limit", reason: "the condition does not constrain which roles may be assigned" };
  const reachable = privileged.filter((g) => (allowed.size > 0 ? allowed.has(g) : true) && !excluded.has(g));
  return reachable.length === 0 ? { kind: "limits-delegation" } : { kind: "does-not-limit", reason: `the condition still allows assigning ${reachable.join(", ")}` };
}
