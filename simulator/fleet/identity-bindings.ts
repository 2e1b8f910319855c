/**
 * The fleet's AKS identity bindings (azure.json `identityBindings`): per
 * managed cluster resource id, the bindings as one would PUT them
 * (`name`, `properties.managedIdentity.resourceId`), optionally with the
 * `properties.provisioningState` ARM would report. The read-only fields (id,
 * type, eTag, the identity's client, object and tenant ids, the issuer URL)
 * are filled when served (simulator/azure/identity-bindings.ts). The
 * identity's `aks-identity-binding` credential is not created from them: the
 * fleet says what Azure holds, drift included (a credential someone deleted).
 */
import type { FleetProblem } from "./load.js";

/** KnownIdentityBindingProvisioningState of @azure/arm-containerservice 25.3.0 (api-version 2026-04-01). */
export const IDENTITY_BINDING_PROVISIONING_STATES = ["Succeeded", "Failed", "Canceled", "Creating", "Updating", "Deleting"] as const;

/** The spec publishes no name pattern for identityBindingName: only what could not be a path segment is refused. */
const BINDING_NAME = /^[^/?#\s]{1,260}$/;

/**
 * Problems of azure.json's `identityBindings`, if any.
 *
 * @param clusterIds lower-cased managed cluster id -> the id as written
 * @param identityIds lower-cased identity id -> the id as written
 */
export function identityBindingProblems(value: unknown, clusterIds: ReadonlyMap<string, string>, identityIds: ReadonlyMap<string, string>): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const problem = (object: string, field: string, text: string) => problems.push({ file: "azure.json", object, field, problem: text });
  if (value === undefined) return problems;
  if (!isRecord(value)) {
    problem("(root)", "identityBindings", "must be an object keyed by managed cluster resource id");
    return problems;
  }
  for (const [clusterId, list] of Object.entries(value)) {
    const at = `identityBindings["${clusterId}"]`;
    const known = clusterIds.get(clusterId.toLowerCase());
    if (known === undefined) problem("(root)", at, "names no cluster in managedClusters");
    else if (known !== clusterId) problem("(root)", at, `must be written exactly as the cluster's id ("${known}")`);
    if (!Array.isArray(list)) {
      problem("(root)", at, "must be an array of identity bindings");
      continue;
    }
    const names = new Set<string>();
    for (const [i, binding] of list.entries()) {
      const object = `${at}[${i}]${isRecord(binding) && typeof binding.name === "string" ? ` "${binding.name}"` : ""}`;
      if (!isRecord(binding)) {
        problem(object, "(object)", "must be an object");
        continue;
      }
      const { name } = binding;
      if (typeof name !== "string" || !BINDING_NAME.test(name)) {
        problem(object, "name", "is required: at most 260 characters, none of '/', '?', '#' or white space (it is a path segment)");
      } else if (names.has(name.toLowerCase())) {
        problem(object, "name", `"${name}" is used by another binding of this cluster (names are unique per cluster, in any case)`);
      } else {
        names.add(name.toLowerCase());
      }
      const properties = isRecord(binding.properties) ? binding.properties : {};
      const identity = isRecord(properties.managedIdentity) ? properties.managedIdentity.resourceId : undefined;
      if (typeof identity !== "string" || identity === "") problem(object, "properties.managedIdentity.resourceId", "is required (the identity's resource id)");
      else if (!identityIds.has(identity.toLowerCase())) problem(object, "properties.managedIdentity.resourceId", "names no identity in userAssignedIdentities");
      const state = properties.provisioningState;
      if (state !== undefined && !(IDENTITY_BINDING_PROVISIONING_STATES as readonly unknown[]).includes(state)) {
        problem(object, "properties.provisioningState", `must be one of ${IDENTITY_BINDING_PROVISIONING_STATES.join(", ")} (got ${JSON.stringify(state)})`);
      }
    }
  }
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
