/**
 * What one cluster looks like to the checks: a slim, typed projection of the
 * Kubernetes objects that workload identity depends on. Slim on purpose: a
 * cluster with 20,000 pods must fit in bounded memory, and nothing secret
 * (environment values other than the webhook's own, tokens, secrets) is kept.
 */
import type { AksCluster } from "../inventory/model.js";

export type Labels = Readonly<Record<string, string>>;
export type Annotations = Readonly<Record<string, string>>;

export interface NamespaceSummary {
  name: string;
  labels: Labels;
}

export interface ServiceAccountSummary {
  namespace: string;
  name: string;
  labels: Labels;
  /** Only `azure.workload.identity/*` annotations are kept. */
  annotations: Annotations;
}

/**
 * The environment variables the webhook injects; their values are not secret.
 * The last three are injected only into pods that opt in to AKS identity
 * bindings (the webhook's custom token endpoint: azure-workload-identity
 * pkg/webhook/consts.go AzureKubernetesTokenProxyEnvVar, ...SNINameEnvVar,
 * ...CAFileEnvVar; azure-aks-docs articles/aks/identity-bindings.md lists them
 * on a mutated pod). AZURE_KUBERNETES_CA_DATA is not kept: it holds a CA bundle.
 */
export const WEBHOOK_ENV_NAMES = [
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "AZURE_FEDERATED_TOKEN_FILE",
  "AZURE_AUTHORITY_HOST",
  "AZURE_KUBERNETES_TOKEN_PROXY",
  "AZURE_KUBERNETES_SNI_NAME",
  "AZURE_KUBERNETES_CA_FILE",
] as const;
export type WebhookEnvName = (typeof WEBHOOK_ENV_NAMES)[number];

export interface ContainerSummary {
  name: string;
  init: boolean;
  /** Only the webhook's variables, with literal values (valueFrom is recorded as ""). */
  env: Partial<Record<WebhookEnvName, string>>;
  mountPaths: string[];
}

/** A serviceAccountToken source inside a projected volume. */
export interface ProjectedTokenVolume {
  volumeName: string;
  audience?: string;
  expirationSeconds?: number;
  path: string;
}

export interface OwnerRef {
  kind: string;
  name: string;
}

export interface PodSummary {
  namespace: string;
  name: string;
  labels: Labels;
  /** Only `azure.workload.identity/*` annotations are kept. */
  annotations: Annotations;
  serviceAccountName: string;
  hostNetwork: boolean;
  creationTimestamp?: string;
  phase?: string;
  owner?: OwnerRef;
  containers: ContainerSummary[];
  projectedTokenVolumes: ProjectedTokenVolume[];
}

export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** A pod controller with its pod template (for CronJob: spec.jobTemplate.spec.template). */
export interface WorkloadSummary {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  labels: Labels;
  /** Only `azure.workload.identity/*` annotations are kept. */
  annotations: Annotations;
  owner?: OwnerRef;
  template: {
    labels: Labels;
    /** Only `azure.workload.identity/*` annotations are kept. */
    annotations: Annotations;
    serviceAccountName: string;
    hostNetwork: boolean;
    /**
     * The template's containers and init containers, slim as a pod's (only the
     * webhook's variables): a variable set by hand here is set in every pod,
     * and the webhook never overwrites it. Absent in snapshots collected
     * before templates kept them.
     */
    containers?: ContainerSummary[];
  };
  replicas?: number;
  /** Absent in the API when no replica is ready: read as 0. */
  readyReplicas?: number;
}

export interface ServiceSummary {
  namespace: string;
  name: string;
  /** Only `azure.workload.identity/*` annotations are kept. */
  annotations: Annotations;
  /** spec.selector: which pods the Service fronts (absent for selector-less Services). */
  selector?: Labels;
}

/** A deployment of the workload identity webhook controller. */
export interface WebhookDeployment {
  namespace: string;
  name: string;
  /** "aks-addon" in kube-system; "helm" in any other namespace (usually azure-workload-identity-system). */
  source: "aks-addon" | "helm";
  replicas: number;
  readyReplicas: number;
}

/** metav1.LabelSelector as the API returns it (a webhook's namespaceSelector or objectSelector), kept whole to be evaluated. */
export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: readonly string[] }>;
}

export interface MutatingWebhookSummary {
  /** MutatingWebhookConfiguration name. */
  configurationName: string;
  webhooks: Array<{
    name: string;
    /** matchLabels plus single-value In expressions of objectSelector: the labels a pod must carry. */
    objectSelectorLabels: Labels;
    /**
     * The selectors as the cluster holds them (absent: the API's default {},
     * everything). On AKS the namespaceSelector carries the admissions
     * enforcer's expressions; Helm values may add their own.
     */
    namespaceSelector?: LabelSelector;
    objectSelector?: LabelSelector;
    service?: { namespace: string; name: string };
    failurePolicy?: string;
  }>;
}

/** Who a binding names: a service account, or the user or group names Kubernetes gives service accounts. */
export interface RbacSubject {
  kind: string;
  name: string;
  namespace?: string;
}

/**
 * A ClusterRoleBinding whose ClusterRole allows the `use-managed-identity`
 * verb of API group `cid.wi.aks.azure.com` on resources named after
 * identities' client ids: the permission AKS identity bindings check before
 * the token proxy exchanges a pod's token (azure-aks-docs
 * articles/aks/identity-bindings.md, "Authorize namespaces and service accounts").
 */
export interface ManagedIdentityGrant {
  binding: string;
  role: string;
  /** The client ids the role's rules name ("*" for every identity). */
  clientIds: string[];
  subjects: RbacSubject[];
}

/**
 * An AKS identity binding of this cluster: the ARM child resource
 * `Microsoft.ContainerService/managedClusters/identityBindings` that maps one
 * user-assigned managed identity to the cluster (azure-aks-docs
 * articles/aks/identity-bindings-concepts.md; api-version 2026-04-01). Strings
 * are bounded: they come from ARM, as written by whoever created the binding.
 */
export interface IdentityBindingSummary {
  name: string;
  /** properties.managedIdentity.resourceId, as ARM returns it (compare without case). */
  managedIdentityResourceId: string;
  /** properties.managedIdentity.clientId (read-only, filled by AKS), lower case. */
  clientId?: string;
  /** properties.oidcIssuer.oidcIssuerUrl: the issuer of the identity's aks-identity-binding credential. */
  oidcIssuerUrl?: string;
  /** properties.provisioningState: Succeeded, Failed, Canceled, Creating, Updating, Deleting. */
  provisioningState?: string;
}

/** AADSTS codes seen in the recent log lines of one container. Never the lines themselves. */
export interface AadstsLogEvidence {
  namespace: string;
  pod: string;
  container: string;
  code: string;
  count: number;
  /** Timestamp of the last occurrence when the log line carried one. */
  lastSeen?: string;
}

export const COLLECTION_ERROR_KINDS = ["unreachable", "unauthorized", "forbidden", "timeout", "error"] as const;
export type CollectionErrorKind = (typeof COLLECTION_ERROR_KINDS)[number];

/** A read that failed. The scan goes on; checks that needed it stay silent and a `scan.*` finding says why. */
export interface CollectionError {
  kind: CollectionErrorKind;
  /** Kubernetes resource (e.g. "pods", "pods/log", "mutatingwebhookconfigurations") or ARM operation. */
  resource: string;
  /** Kubernetes verb ("list", "get", "create") or ARM action. */
  verb: string;
  /** API group, "" for core. */
  group?: string;
  namespace?: string;
  message: string;
  httpStatus?: number;
}

export interface SnapshotStats {
  requests: number;
  podPages: number;
  /** All pods seen, including those not kept because they have nothing to do with workload identity. */
  podsSeen: number;
  durationMs: number;
}

/** Everything one cluster's checks need, collected once. */
export interface ClusterSnapshot {
  cluster: AksCluster;
  /** ISO-8601; the checks' notion of "now". */
  collectedAt: string;
  /** How the API server was reached; "none" when it could not be. */
  accessPath: "direct" | "run-command" | "none";
  namespaces: NamespaceSummary[];
  serviceAccounts: ServiceAccountSummary[];
  /**
   * Pods that touch workload identity: labelled, carrying an `azure.workload.identity/*`
   * annotation, running as an annotated service account, or mutated by the webhook.
   */
  pods: PodSummary[];
  workloads: WorkloadSummary[];
  services: ServiceSummary[];
  webhookDeployments: WebhookDeployment[];
  mutatingWebhooks: MutatingWebhookSummary[];
  /**
   * The grants of `use-managed-identity`, read only when some pod or pod
   * template opts in to identity binding (ClusterRoles and ClusterRoleBindings
   * are large and concern nobody else); absent when they were not read.
   */
  managedIdentityGrants?: ManagedIdentityGrant[];
  /**
   * The cluster's identity bindings (ARM), read only when some pod or pod
   * template opts in to identity binding; absent when they were not read
   * (then an error says why, when a read was tried).
   */
  identityBindings?: IdentityBindingSummary[];
  logEvidence: AadstsLogEvidence[];
  /**
   * Whether every workload-identity workload had its logs read: "off" when
   * settings turn log reading off, "capped" when LOG_MAX_PODS_PER_CLUSTER left
   * some out. Absent: nothing limited the reading.
   */
  logReading?: "complete" | "capped" | "off";
  errors: CollectionError[];
  stats: SnapshotStats;
  /** Live token-exchange probe results; absent when the probe did not run on this cluster (it is opt-in). */
  probeResults?: ProbeResult[];
}

export const PROBE_OUTCOMES = ["ok", "failed", "error"] as const;
/** "ok": Entra issued a token; "failed": Entra refused the exchange; "error": the probe could not decide (TokenRequest refused, Entra unreachable). */
export type ProbeOutcome = (typeof PROBE_OUTCOMES)[number];

/** One service account's live token exchange. Never the service account token nor the access token. */
export interface ProbeResult {
  namespace: string;
  serviceAccount: string;
  /** The client id the exchange named (the service account's annotation, as written). */
  clientId: string;
  /** The tenant whose token endpoint was asked. */
  tenantId: string;
  /** expirationSeconds of the TokenRequest. */
  expirationSeconds: number;
  outcome: ProbeOutcome;
  /** e.g. "AADSTS70021", when Entra refused with one. */
  aadstsCode?: string;
  /** Entra's or the API server's explanation, scrubbed; trace and correlation ids left out. */
  message?: string;
}
