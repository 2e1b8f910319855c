/**
 * Slim projections of Kubernetes objects into the snapshot's types, and the
 * rules deciding which objects touch workload identity (only those are kept).
 * Nothing secret survives: of the environment only the webhook's variables,
 * of annotations only `azure.workload.identity/*`.
 */
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1Container,
  V1CronJob,
  V1DaemonSet,
  V1Deployment,
  V1Job,
  V1LabelSelector,
  V1MutatingWebhookConfiguration,
  V1Namespace,
  V1ObjectMeta,
  V1Pod,
  V1PodTemplateSpec,
  V1ReplicaSet,
  V1Service,
  V1ServiceAccount,
  V1StatefulSet,
  V1Volume,
} from "@kubernetes/client-node";
import {
  WEBHOOK_ENV_NAMES,
  type Annotations,
  type ContainerSummary,
  type LabelSelector,
  type Labels,
  type ManagedIdentityGrant,
  type RbacSubject,
  type MutatingWebhookSummary,
  type NamespaceSummary,
  type OwnerRef,
  type PodSummary,
  type ProjectedTokenVolume,
  type ServiceAccountSummary,
  type ServiceSummary,
  type WebhookDeployment,
  type WebhookEnvName,
  type WorkloadKind,
  type WorkloadSummary,
} from "./model.js";
import { indexOfNeedle, needle } from "./rare-byte-search.js";

export const WORKLOAD_IDENTITY_PREFIX = "azure.workload.identity/";
export const USE_LABEL = "azure.workload.identity/use";
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
export const WEBHOOK_DEPLOYMENT_NAME = "azure-wi-webhook-controller-manager";
export const WEBHOOK_ENTRY_NAME = "mutation.azure-workload-identity.io";

const webhookEnvNames: ReadonlySet<string> = new Set(WEBHOOK_ENV_NAMES);

export function namespaceSummary(namespace: V1Namespace): NamespaceSummary {
  return { name: namespace.metadata?.name ?? "", labels: copy(namespace.metadata?.labels) };
}

/**
 * Every service account is kept (pods and checks look them up by name), so
 * only its workload-identity annotations are: other annotations are free
 * text up to 256 kB each (kubectl's last-applied-configuration, tools'
 * state), and 1,000 service accounts with 250 kB of them took 381 MB.
 */
export function serviceAccountSummary(account: V1ServiceAccount): ServiceAccountSummary {
  return {
    namespace: account.metadata?.namespace ?? "",
    name: account.metadata?.name ?? "",
    labels: copy(account.metadata?.labels),
    annotations: workloadIdentityAnnotations(account.metadata?.annotations),
  };
}

/** A service account whose pods use workload identity, or were meant to: an annotation or label of the project's prefix. */
export function isWorkloadIdentityServiceAccount(account: ServiceAccountSummary): boolean {
  return hasPrefixedKey(account.annotations) || hasPrefixedKey(account.labels);
}

export const serviceAccountKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/**
 * A pod touches workload identity when it is labelled or annotated for it,
 * runs as a workload-identity service account, or was mutated by the webhook.
 */
export function podTouchesWorkloadIdentity(pod: PodSummary, workloadIdentityAccounts: ReadonlySet<string>): boolean {
  return (
    hasPrefixedKey(pod.labels) ||
    Object.keys(pod.annotations).length > 0 ||
    workloadIdentityAccounts.has(serviceAccountKey(pod.namespace, pod.serviceAccountName)) ||
    pod.projectedTokenVolumes.some((volume) => volume.audience === TOKEN_EXCHANGE_AUDIENCE) ||
    pod.containers.some((container) => container.env.AZURE_FEDERATED_TOKEN_FILE !== undefined)
  );
}

// Each searched from a part that is rare in pods (rare-byte-search.ts): the same matches, a quarter of the time.
const MARKERS = [needle(WORKLOAD_IDENTITY_PREFIX, "zure."), needle("AzureADTokenExchange", "Azure"), needle("AZURE_FEDERATED_TOKEN_FILE", "AZURE")];
const SERVICE_ACCOUNT_FIELDS = [needle('"serviceAccountName":"', "Account"), needle('"serviceAccount":"', "Account")];
const QUOTE = 0x22;

/**
 * Whether a pod, still as the API server's JSON bytes, could touch workload
 * identity: a superset of podTouchesWorkloadIdentity that needs no parsing, so
 * that the 140 of 150 pods of a typical cluster that do not are counted and
 * never parsed (JSON.parse of pods was the largest single cost of a scan).
 * It looks for the markers anywhere in the text (the API server writes them
 * unescaped: Go's encoder escapes only <, >, & and control characters) and
 * for a service account whose name is one of `accountNames`, in any
 * namespace, in every `serviceAccountName` or `serviceAccount` field of the
 * text (an annotation may be called that too: all are looked at, so the
 * pod's own is among them); a pod that names none runs as "default".
 */
export function podBytesMayTouchWorkloadIdentity(bytes: Buffer, accountNames: ReadonlySet<string>): boolean {
  for (const marker of MARKERS) if (indexOfNeedle(bytes, marker) !== -1) return true;
  if (accountNames.size === 0) return false;
  let named = false;
  for (const field of SERVICE_ACCOUNT_FIELDS) {
    for (let at = indexOfNeedle(bytes, field); at !== -1; at = indexOfNeedle(bytes, field, at + field.bytes.length)) {
      named = true;
      const start = at + field.bytes.length;
      const end = bytes.indexOf(QUOTE, start);
      if (end === -1 || accountNames.has(bytes.toString("utf8", start, end))) return true;
    }
  }
  return !named && accountNames.has("default");
}

export function podSummary(pod: V1Pod): PodSummary {
  const metadata = pod.metadata ?? {};
  const spec = pod.spec;
  const owner = ownerOf(metadata);
  return {
    namespace: metadata.namespace ?? "",
    name: metadata.name ?? "",
    labels: copy(metadata.labels),
    annotations: workloadIdentityAnnotations(metadata.annotations),
    serviceAccountName: spec?.serviceAccountName ?? spec?.serviceAccount ?? "default",
    hostNetwork: spec?.hostNetwork === true,
    ...(metadata.creationTimestamp && { creationTimestamp: isoString(metadata.creationTimestamp) }),
    ...(pod.status?.phase && { phase: pod.status.phase }),
    ...(owner && { owner }),
    containers: [
      ...(spec?.initContainers ?? []).map((container) => containerSummary(container, true)),
      ...(spec?.containers ?? []).map((container) => containerSummary(container, false)),
    ],
    projectedTokenVolumes: (spec?.volumes ?? []).flatMap(projectedTokens),
  };
}

function containerSummary(container: V1Container, init: boolean): ContainerSummary {
  const env: Partial<Record<WebhookEnvName, string>> = {};
  for (const variable of container.env ?? []) {
    if (webhookEnvNames.has(variable.name)) env[variable.name as WebhookEnvName] = variable.valueFrom ? "" : (variable.value ?? "");
  }
  return { name: container.name, init, env, mountPaths: (container.volumeMounts ?? []).map((mount) => mount.mountPath) };
}

function projectedTokens(volume: V1Volume): ProjectedTokenVolume[] {
  return (volume.projected?.sources ?? []).flatMap((source) => {
    const token = source.serviceAccountToken;
    if (!token) return [];
    return [
      {
        volumeName: volume.name,
        ...(token.audience !== undefined && { audience: token.audience }),
        ...(token.expirationSeconds !== undefined && { expirationSeconds: token.expirationSeconds }),
        path: token.path,
      },
    ];
  });
}

type Workload = V1Deployment | V1StatefulSet | V1DaemonSet | V1ReplicaSet | V1Job | V1CronJob;

export function workloadSummary(kind: WorkloadKind, workload: Workload): WorkloadSummary {
  const metadata = workload.metadata ?? {};
  const template = templateOf(kind, workload);
  const owner = ownerOf(metadata);
  const { replicas, readyReplicas } = replicasOf(kind, workload);
  return {
    kind,
    namespace: metadata.namespace ?? "",
    name: metadata.name ?? "",
    labels: copy(metadata.labels),
    annotations: workloadIdentityAnnotations(metadata.annotations),
    ...(owner && { owner }),
    template: {
      labels: copy(template?.metadata?.labels),
      annotations: workloadIdentityAnnotations(template?.metadata?.annotations),
      serviceAccountName: template?.spec?.serviceAccountName ?? template?.spec?.serviceAccount ?? "default",
      hostNetwork: template?.spec?.hostNetwork === true,
      containers: [
        ...(template?.spec?.initContainers ?? []).map((container) => containerSummary(container, true)),
        ...(template?.spec?.containers ?? []).map((container) => containerSummary(container, false)),
      ],
    },
    ...(replicas !== undefined && { replicas }),
    ...(readyReplicas !== undefined && { readyReplicas }),
  };
}

export function workloadTouchesWorkloadIdentity(workload: WorkloadSummary, workloadIdentityAccounts: ReadonlySet<string>): boolean {
  return (
    hasPrefixedKey(workload.labels) ||
    Object.keys(workload.annotations).length > 0 ||
    hasPrefixedKey(workload.template.labels) ||
    Object.keys(workload.template.annotations).length > 0 ||
    workloadIdentityAccounts.has(serviceAccountKey(workload.namespace, workload.template.serviceAccountName))
  );
}

function templateOf(kind: WorkloadKind, workload: Workload): V1PodTemplateSpec | undefined {
  switch (kind) {
    case "CronJob":
      return (workload as V1CronJob).spec?.jobTemplate?.spec?.template;
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      return (workload as Exclude<Workload, V1CronJob>).spec?.template;
  }
}

function replicasOf(kind: WorkloadKind, workload: Workload): { replicas?: number; readyReplicas?: number } {
  switch (kind) {
    case "Deployment":
    case "StatefulSet":
    case "ReplicaSet": {
      const { spec, status } = workload as V1Deployment | V1StatefulSet | V1ReplicaSet;
      return { replicas: spec?.replicas ?? 1, ...(status?.readyReplicas !== undefined && { readyReplicas: status.readyReplicas }) };
    }
    case "DaemonSet": {
      const { status } = workload as V1DaemonSet;
      return { ...(status && { replicas: status.desiredNumberScheduled, readyReplicas: status.numberReady }) };
    }
    case "Job":
    case "CronJob":
      return {};
  }
}

export function serviceSummary(service: V1Service): ServiceSummary {
  return {
    namespace: service.metadata?.namespace ?? "",
    name: service.metadata?.name ?? "",
    annotations: workloadIdentityAnnotations(service.metadata?.annotations),
    ...(service.spec?.selector !== undefined && { selector: service.spec.selector }),
  };
}

/** The webhook's controller: the AKS add-on in kube-system, a Helm (or static) install anywhere else. */
export function webhookDeployment(deployment: V1Deployment): WebhookDeployment | undefined {
  const metadata = deployment.metadata ?? {};
  if (metadata.name !== WEBHOOK_DEPLOYMENT_NAME) return undefined;
  const namespace = metadata.namespace ?? "";
  return {
    namespace,
    name: WEBHOOK_DEPLOYMENT_NAME,
    source: namespace === "kube-system" ? "aks-addon" : "helm",
    replicas: deployment.spec?.replicas ?? 1,
    // The API leaves readyReplicas out when no replica is ready.
    readyReplicas: deployment.status?.readyReplicas ?? 0,
  };
}

/**
 * A MutatingWebhookConfiguration that carries the workload identity webhook,
 * recognised by its entry name or by an objectSelector on the use label (its
 * object name differs between the add-on and Helm).
 */
export function workloadIdentityWebhook(configuration: V1MutatingWebhookConfiguration): MutatingWebhookSummary | undefined {
  const webhooks = (configuration.webhooks ?? []).filter(
    (webhook) =>
      webhook.name === WEBHOOK_ENTRY_NAME ||
      webhook.objectSelector?.matchLabels?.[USE_LABEL] !== undefined ||
      (webhook.objectSelector?.matchExpressions ?? []).some((expression) => expression.key === USE_LABEL),
  );
  if (webhooks.length === 0) return undefined;
  return {
    configurationName: configuration.metadata?.name ?? "",
    webhooks: webhooks.map((webhook) => {
      const service = webhook.clientConfig.service;
      return {
        name: webhook.name,
        objectSelectorLabels: selectorLabels(webhook.objectSelector),
        ...(webhook.namespaceSelector && { namespaceSelector: labelSelector(webhook.namespaceSelector) }),
        ...(webhook.objectSelector && { objectSelector: labelSelector(webhook.objectSelector) }),
        ...(service && { service: { namespace: service.namespace, name: service.name } }),
        ...(webhook.failurePolicy && { failurePolicy: webhook.failurePolicy }),
      };
    }),
  };
}

/** A copy with only the fields the API defines (the checks evaluate it: shared/checks/label-selector.ts). */
function labelSelector(selector: V1LabelSelector): LabelSelector {
  return {
    ...(selector.matchLabels && { matchLabels: { ...selector.matchLabels } }),
    ...(selector.matchExpressions && {
      matchExpressions: selector.matchExpressions.map(({ key, operator, values }) => ({ key, operator, ...(values && { values: [...values] }) })),
    }),
  };
}

/** matchLabels, plus single-value `In` expressions, which select exactly like a label. */
function selectorLabels(selector: V1LabelSelector | undefined): Labels {
  const labels: Record<string, string> = { ...(selector?.matchLabels ?? {}) };
  for (const expression of selector?.matchExpressions ?? []) {
    const [only] = expression.values ?? [];
    if (expression.operator === "In" && expression.values?.length === 1 && only !== undefined) labels[expression.key] = only;
  }
  return labels;
}

function ownerOf(metadata: V1ObjectMeta): OwnerRef | undefined {
  const references = metadata.ownerReferences ?? [];
  const owner = references.find((reference) => reference.controller === true) ?? references[0];
  return owner && { kind: owner.kind, name: owner.name };
}

function workloadIdentityAnnotations(annotations: Record<string, string> | undefined): Annotations {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations ?? {})) if (key.startsWith(WORKLOAD_IDENTITY_PREFIX)) kept[key] = value;
  return kept;
}

function hasPrefixedKey(record: Readonly<Record<string, string>>): boolean {
  for (const key in record) if (key.startsWith(WORKLOAD_IDENTITY_PREFIX)) return true;
  return false;
}

function copy(record: Record<string, string> | undefined): Record<string, string> {
  return { ...(record ?? {}) };
}

/** client-node turns timestamps into Dates; the snapshot keeps ISO strings, second precision as the API prints them. */
function isoString(value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString().replace(/\.000Z$/, "Z");
}

/** The webhook's custom-token-endpoint annotation as AKS configures it: `azure.workload.identity/use-<suffix>` with suffix identity-binding. */
export const USE_IDENTITY_BINDING_ANNOTATION = "azure.workload.identity/use-identity-binding";
/** The verb and API group the doc's ClusterRole grants on the resource named after the identity's client id. */
export const USE_MANAGED_IDENTITY_VERB = "use-managed-identity";
export const IDENTITY_BINDING_RBAC_GROUP = "cid.wi.aks.azure.com";

/** `strings.EqualFold(val, "true")` in the webhook: "True" opts in too. */
export function optsIntoIdentityBinding(annotations: Annotations): boolean {
  return (annotations[USE_IDENTITY_BINDING_ANNOTATION] ?? "").toLowerCase() === "true";
}

/**
 * The client ids a ClusterRole lets its subjects `use-managed-identity`, by
 * Kubernetes RBAC's rule matching (a verb, group or resource of "*" matches
 * any; a rule limited to resourceNames never matches a request naming none):
 * undefined when it allows no such use.
 */
export function managedIdentityUseOf(role: V1ClusterRole): string[] | undefined {
  const clientIds = new Set<string>();
  for (const rule of role.rules ?? []) {
    const verbs = rule.verbs ?? [];
    const groups = rule.apiGroups ?? [];
    if (!(verbs.includes(USE_MANAGED_IDENTITY_VERB) || verbs.includes("*"))) continue;
    if (!(groups.includes(IDENTITY_BINDING_RBAC_GROUP) || groups.includes("*"))) continue;
    if ((rule.resourceNames ?? []).length > 0) continue;
    for (const resource of rule.resources ?? []) clientIds.add(resource.toLowerCase());
  }
  return clientIds.size > 0 ? [...clientIds].sort() : undefined;
}

/** A ClusterRoleBinding of a ClusterRole, as far as identity bindings care: its role and subjects. */
export function clusterRoleBindingSummary(binding: V1ClusterRoleBinding): { name: string; role: string; subjects: RbacSubject[] } | undefined {
  if (binding.roleRef.kind !== "ClusterRole") return undefined;
  return {
    name: binding.metadata?.name ?? "",
    role: binding.roleRef.name,
    subjects: (binding.subjects ?? []).map((s) => ({ kind: s.kind, name: s.name, ...(s.namespace && { namespace: s.namespace }) })),
  };
}

/** The bindings of roles that allow `use-managed-identity`, joined with what their roles allow. */
export function managedIdentityGrants(
  roles: ReadonlyMap<string, readonly string[]>,
  bindings: ReadonlyArray<{ name: string; role: string; subjects: RbacSubject[] }>,
): ManagedIdentityGrant[] {
  return bindings.flatMap((binding) => {
    const clientIds = roles.get(binding.role);
    return clientIds ? [{ binding: binding.name, role: binding.role, clientIds: [...clientIds], subjects: binding.subjects }] : [];
  });
}
