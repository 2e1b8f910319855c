/**
 * A client-id annotation on a Service instead of a service account. Shared by
 * sa.client-id-on-wrong-object, which reports the Service, and
 * sa.client-id-missing, which stays silent about the pods that Service fronts:
 * one problem (the annotation is on the wrong object), one finding.
 */
import type { Labels, ServiceSummary } from "../cluster/model.js";
import type { ClusterFacts } from "./cluster-facts.js";
import { CLIENT_ID_ANNOTATION } from "./workload-identity.js";

/**
 * Services carrying the annotation that sa.client-id-on-wrong-object reports:
 * those whose namespace's service accounts could be read and none of which
 * carries the same client id (then the Service's copy is harmless).
 */
export function servicesWithMisplacedClientId(facts: ClusterFacts): ServiceSummary[] {
  const { snapshot } = facts;
  return snapshot.services.filter((service) => {
    const clientId = service.annotations[CLIENT_ID_ANNOTATION];
    if (clientId === undefined || !facts.sees("serviceaccounts", service.namespace)) return false;
    return !snapshot.serviceAccounts.some(
      (sa) => sa.namespace === service.namespace && (sa.annotations[CLIENT_ID_ANNOTATION] ?? "").toLowerCase() === clientId.toLowerCase(),
    );
  });
}

/** As Kubernetes matches a Service to pods: a non-empty selector whose every label the pod carries. */
export function selects(service: ServiceSummary, namespace: string, labels: Labels): boolean {
  const selector = service.selector;
  if (service.namespace !== namespace || selector === undefined) return false;
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

/** True when a reported Service fronts pods with these labels: sa.client-id-on-wrong-object already explains them. */
export function frontedByMisplacedClientId(misplaced: readonly ServiceSummary[], namespace: string, labels: Labels): boolean {
  return misplaced.some((service) => selects(service, namespace, labels));
}
