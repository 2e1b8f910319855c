/**
 * AKS identity bindings (preview): one federated credential per managed
 * identity, named `aks-identity-binding`, issuer
 * `https://ib.oic.prod-aks.azure.com/<tenant>/<clientId>`, created and
 * "managed by AKS. Don't modify or delete it" (azure-aks-docs
 * articles/aks/identity-bindings.md). A pod opts in with the annotation
 * `azure.workload.identity/use-identity-binding: "true"`; the webhook then
 * projects a token for the binding's audience instead of
 * api://AzureADTokenExchange and adds AZURE_KUBERNETES_TOKEN_PROXY,
 * AZURE_KUBERNETES_SNI_NAME and AZURE_KUBERNETES_CA_FILE (azure-workload-identity
 * pkg/webhook/webhook.go isUsingCustomTokenEndpoint, addEnvironmentVariables,
 * addProjectedVolume). Such pods are judged by this mode, never by the default
 * audience, and no check advises changing the AKS-managed credential.
 */
import type { Annotations, ClusterSnapshot, IdentityBindingSummary, PodSummary, WorkloadSummary } from "../cluster/model.js";
import { optsIntoIdentityBinding } from "../cluster/summarize.js";
import type { AksCluster, FederatedCredential } from "../inventory/model.js";
import type { ClusterFacts } from "./cluster-facts.js";
import type { FleetView, WorkloadPrincipal } from "./fleet-view.js";
import { PodTargets, describeTargets, examplePods, isLive, type PodTarget } from "./pod-targets.js";
import { shellQuote as q } from "./shell-quote.js";
import { CLIENT_ID_ANNOTATION, TOKEN_EXCHANGE_AUDIENCE, hasUseLabel, isGuid } from "./workload-identity.js";

// Collection reads the grants only where some pod opts in, so the opt-in rule lives beside the summaries.
export { IDENTITY_BINDING_CREDENTIAL_NAME } from "../inventory/credential-trust.js";
export { IDENTITY_BINDING_RBAC_GROUP, USE_IDENTITY_BINDING_ANNOTATION, USE_MANAGED_IDENTITY_VERB, optsIntoIdentityBinding } from "../cluster/summarize.js";

export function identityBindingCredential(principal: WorkloadPrincipal): FederatedCredential | undefined {
  return principal.credentials.find((c) => c.trust.kind === "identity-binding");
}

export function isIdentityBindingCredential(credential: FederatedCredential): boolean {
  return credential.trust.kind === "identity-binding";
}

/**
 * A pod the webhook mutated in identity-binding mode: a projected token for an
 * audience other than api://AzureADTokenExchange (the webhook refuses a custom
 * audience equal to it), the token file variable and the token proxy variable.
 */
export function isMutatedForIdentityBinding(pod: PodSummary): boolean {
  return (
    pod.projectedTokenVolumes.some((v) => v.audience !== undefined && v.audience !== "" && v.audience !== TOKEN_EXCHANGE_AUDIENCE) &&
    pod.containers.some((c) => c.env.AZURE_FEDERATED_TOKEN_FILE !== undefined) &&
    pod.containers.some((c) => c.env.AZURE_KUBERNETES_TOKEN_PROXY !== undefined)
  );
}

/** How the labelled, live pods and top-level pod templates running as one service account get their token. */
export interface ServiceAccountModes {
  /** Opting in to identity binding. */
  binding: Array<PodSummary | WorkloadSummary>;
  /** The default mode (a credential for the cluster's issuer). */
  plain: Array<PodSummary | WorkloadSummary>;
}

/** Per service account (`namespace/name`), judged alike for pods and templates. */
export function serviceAccountModes(snapshot: ClusterSnapshot, facts: ClusterFacts): Map<string, ServiceAccountModes> {
  const modes = new Map<string, ServiceAccountModes>();
  const note = (namespace: string, serviceAccountName: string, annotations: Annotations, user: PodSummary | WorkloadSummary) => {
    const key = `${namespace}/${serviceAccountName || "default"}`;
    let entry = modes.get(key);
    if (entry === undefined) {
      entry = { binding: [], plain: [] };
      modes.set(key, entry);
    }
    (optsIntoIdentityBinding(annotations) ? entry.binding : entry.plain).push(user);
  };
  for (const pod of snapshot.pods) {
    if (hasUseLabel(pod.labels) && isLive(pod)) note(pod.namespace, pod.serviceAccountName, pod.annotations, pod);
  }
  for (const w of snapshot.workloads) {
    if (facts.isTopLevel(w) && hasUseLabel(w.template.labels)) note(w.namespace, w.template.serviceAccountName, w.template.annotations, w);
  }
  return modes;
}

export function isPod(user: PodSummary | WorkloadSummary): user is PodSummary {
  return !("template" in user);
}

/** A service account whose labelled pods or templates opt in to identity binding, with the identity it names. */
export interface OptedInServiceAccount {
  /** `namespace/name`. */
  key: string;
  namespace: string;
  name: string;
  /** Its client-id annotation, lower case. */
  clientId: string;
  principal: WorkloadPrincipal;
  /** The workloads and pods that opt in. */
  targets: PodTarget[];
  pods: PodSummary[];
}

/**
 * The opted-in service accounts the binding checks can judge: outside the
 * namespaces the webhook skips, with a well-formed client id (a missing or bad
 * one is sa.client-id-*'s) naming an identity whose credentials were read (an
 * unknown identity or unread credentials prove nothing).
 */
export function optedInServiceAccounts(view: FleetView, snapshot: ClusterSnapshot, facts: ClusterFacts): OptedInServiceAccount[] {
  const accounts: OptedInServiceAccount[] = [];
  for (const [key, modes] of serviceAccountModes(snapshot, facts)) {
    if (modes.binding.length === 0) continue;
    const [namespace = "", name = ""] = key.split("/");
    if (facts.isExcludedNamespace(namespace)) continue;
    const clientId = facts.serviceAccount(namespace, name)?.annotations[CLIENT_ID_ANNOTATION]?.trim().toLowerCase();
    if (clientId === undefined || !isGuid(clientId)) continue;
    const principal = view.principalByClientId.get(clientId);
    if (principal === undefined || !principal.credentialsKnown) continue;
    const podTargets = new PodTargets(facts);
    for (const user of modes.binding) (isPod(user) ? podTargets.addPod(user) : podTargets.addWorkload(user));
    const targets = podTargets.list();
    accounts.push({ key, namespace, name, clientId, principal, targets, pods: targets.flatMap((t) => t.pods) });
  }
  return accounts;
}

/** What both binding checks say of an opted-in service account in their evidence. */
export function optedInEvidence(account: OptedInServiceAccount): Record<string, string | number | undefined> {
  return {
    serviceAccount: account.key,
    identity: account.principal.displayName,
    workloads: describeTargets(account.targets),
    optedInPods: account.pods.length,
    examplePods: examplePods(account.pods),
  };
}

/**
 * How an identity is bound to this cluster, judged from the cluster's
 * identity bindings (ARM) and the identity's credentials, in the order a
 * person fixes them: no binding here; a binding that is not (yet, or no
 * longer) provisioned; a provisioned binding whose aks-identity-binding
 * credential is gone (AKS creates it with the binding and shares it across
 * the identity's bindings: azure-aks-docs articles/aks/identity-bindings.md,
 * "Create an identity binding"); or working. "unknown" when the bindings were
 * not read (the read failed: a gap, never "no binding").
 */
export type ClusterBinding =
  | { state: "unknown" }
  | { state: "missing" }
  | { state: "not-ready" | "credential-deleted" | "working"; binding: IdentityBindingSummary };

export function clusterBinding(snapshot: ClusterSnapshot, principal: WorkloadPrincipal): ClusterBinding {
  if (snapshot.identityBindings === undefined) return { state: "unknown" };
  const binding = bindingOf(snapshot.identityBindings, principal);
  if (binding === undefined) return { state: "missing" };
  // provisioningState is read-only and always set by AKS; an answer without it is taken at its word.
  if ((binding.provisioningState ?? "Succeeded") !== "Succeeded") return { state: "not-ready", binding };
  return { state: identityBindingCredential(principal) === undefined ? "credential-deleted" : "working", binding };
}

/** The binding of this identity: by its resource id (any case, as ARM compares ids) or, failing that, by its client id. */
function bindingOf(bindings: readonly IdentityBindingSummary[], principal: WorkloadPrincipal): IdentityBindingSummary | undefined {
  if (principal.kind !== "managed-identity") return undefined;
  const id = principal.identity.id.toLowerCase();
  const clientId = principal.clientId.toLowerCase();
  return bindings.find((b) => b.managedIdentityResourceId.toLowerCase() === id) ?? bindings.find((b) => b.clientId === clientId);
}

/** The cluster's binding names, for evidence: what is there when this identity's is not. */
export function bindingNames(snapshot: ClusterSnapshot): string {
  const names = (snapshot.identityBindings ?? []).map((b) => b.name);
  return names.length === 0 ? "none" : names.length > 10 ? `${names.slice(0, 10).join(", ")} and ${names.length - 10} more` : names.join(", ");
}

/** The opted-in service accounts of one identity whose binding on this cluster is in a given state. */
export interface BoundIdentity {
  binding: IdentityBindingSummary;
  principal: WorkloadPrincipal;
  accounts: OptedInServiceAccount[];
}

/** Opted-in service accounts grouped by their identity's binding on this cluster, for the bindings in `state`: one finding per binding. */
export function optedInByBinding(view: FleetView, snapshot: ClusterSnapshot, facts: ClusterFacts, state: "not-ready" | "credential-deleted"): BoundIdentity[] {
  const byBinding = new Map<IdentityBindingSummary, BoundIdentity>();
  for (const account of optedInServiceAccounts(view, snapshot, facts)) {
    const bound = clusterBinding(snapshot, account.principal);
    if (bound.state !== state) continue;
    const entry = byBinding.get(bound.binding) ?? { binding: bound.binding, principal: account.principal, accounts: [] };
    entry.accounts.push(account);
    byBinding.set(bound.binding, entry);
  }
  return [...byBinding.values()];
}

/** What the per-binding checks say of the binding and the workloads that need it. */
export function boundIdentityEvidence({ binding, principal, accounts }: BoundIdentity): Record<string, string | number | undefined> {
  const pods = accounts.flatMap((a) => a.pods);
  return {
    identityBinding: binding.name,
    identity: principal.displayName,
    provisioningState: binding.provisioningState,
    oidcIssuerUrl: binding.oidcIssuerUrl,
    serviceAccounts: accounts.length > 5 ? `${accounts.slice(0, 5).map((a) => a.key).join(", ")} (+${accounts.length - 5} more)` : accounts.map((a) => a.key).join(", "),
    workloads: describeTargets(accounts.flatMap((a) => a.targets)),
    optedInPods: pods.length,
    examplePods: examplePods(pods),
  };
}

/**
 * `az aks identity-binding <subcommand>` for one binding of this cluster, as
 * azure-aks-docs articles/aks/identity-bindings.md writes it (`create` adds
 * --managed-identity-resource-id).
 */
export function identityBindingCommand(cluster: AksCluster, subcommand: "create" | "delete" | "show", bindingName: string, identityResourceId?: string): string {
  const identity = identityResourceId === undefined ? "" : ` --managed-identity-resource-id ${q(identityResourceId)}`;
  return (
    `az aks identity-binding ${subcommand} --subscription ${q(cluster.subscriptionId)} --resource-group ${q(cluster.resourceGroup)} ` +
    `--cluster-name ${q(cluster.name)} --name ${q(bindingName)}${identity}`
  );
}
