/**
 * Role names for the report: built-in roles from the repo's table, custom roles
 * from Resource Graph (`properties.type == 'CustomRole'`, a few rows where the
 * built-ins would be hundreds per subscription). Names are cosmetic: a failed
 * read leaves an InventoryError for the report and the GUID in place of a
 * name, and never makes the inventory incomplete.
 */
import type { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { BUILT_IN_ROLE_NAMES } from "./built-in-roles.js";
import { inventoryError } from "./errors.js";
import { trailingGuid } from "./mapping.js";
import type { InventoryError } from "./model.js";
import { CUSTOM_ROLE_DEFINITIONS_QUERY, INHERITED_AUTHORIZATION } from "./queries.js";
import { queryAllPages, type QuotaGate, type QueryScope } from "./resource-graph.js";

/** Named so that fleet-view does not take its failure for unknown role assignments. */
export const CUSTOM_ROLES_OPERATION = "customRoleDefinitions";

/** GUID (lower case) to role name, built-in and custom; `errors` receives what could not be read. */
export async function collectRoleNames(
  client: ResourceGraphClient,
  scopes: ReadonlyArray<{ scope: QueryScope; label: string }>,
  gate: QuotaGate,
  errors: InventoryError[],
): Promise<Map<string, string>> {
  const names = new Map(Object.entries(BUILT_IN_ROLE_NAMES));
  for (const { scope, label } of scopes) {
    try {
      // Custom roles defined on a management group are assignable below it: ask above the scope too.
      const { rows } = await queryAllPages(client, CUSTOM_ROLE_DEFINITIONS_QUERY, scope, gate, INHERITED_AUTHORIZATION);
      for (const row of rows) if (typeof row.roleName === "string") names.set(trailingGuid(String(row.id ?? "")), row.roleName);
    } catch (error) {
      errors.push(inventoryError(error, CUSTOM_ROLES_OPERATION, label, "Reader on the subscriptions (or management groups) to scan"));
    }
  }
  return names;
}
