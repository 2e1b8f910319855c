/**
 * Names of Azure built-in roles, by role definition GUID, kept in the repo so
 * the inventory need not ask Resource Graph for them: Resource Graph lists
 * every built-in role once per subscription, so a role-definition query over a
 * tenant is large and spends quota for display names only.
 *
 * The table is data, built-in-roles.json, with its sources in the file (every
 * built-in role as `az role definition list` prints it, 2026-08-22). Built-in
 * role GUIDs are the same in every tenant. A role Azure adds later is shown by
 * its GUID until the file is refreshed from the same source.
 */
import table from "./built-in-roles.json" with { type: "json" };

export const BUILT_IN_ROLE_NAMES: Readonly<Record<string, string>> = table.roles;

/** The built-in role's name for a role definition GUID (any case), or undefined. */
export function builtInRoleName(guid: string): string | undefined {
  return BUILT_IN_ROLE_NAMES[guid.toLowerCase()];
}
