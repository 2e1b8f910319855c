import { createHash } from "node:crypto";
import type { CheckId, FindingResource } from "./model.js";

/**
 * The identity of a problem: check id plus the resource it is about. Ids are
 * lower-cased because ARM returns the same id with different casing from
 * different APIs; Kubernetes names are already lowercase.
 */
export function findingKey(checkId: CheckId, resource: FindingResource): string {
  const parts = [
    checkId,
    resource.clusterId ?? resource.subscriptionId ?? "",
    resource.namespace ?? "",
    resource.kind,
    resource.name,
    resource.identityId ?? resource.identityClientId ?? "",
    resource.credentialName ?? "",
  ];
  return parts.map((p) => p.toLowerCase()).join("|");
}

/** A short, stable, URL- and table-key-safe id for a finding. */
export function findingId(checkId: CheckId, resource: FindingResource): string {
  return createHash("sha256").update(findingKey(checkId, resource)).digest("hex").slice(0, 32);
}
