/**
 * Kubernetes objects in the shape `kubectl get -o yaml` prints them: API
 * defaults filled in, status present, and (for pods) exactly what the
 * workload identity webhook injects. Used by the fleet generator and to write
 * hand-curated fleets. Objects may share immutable sub-objects (container
 * lists, volumes, status conditions) so that a fleet of 750,000 pods fits in
 * memory: treat every returned object as read-only.
 */
import { kubeApiAccessVolume } from "../fleet/controllers.js";
import type { KubeObject } from "../fleet/model.js";

export const WI_LABEL_USE = "azure.workload.identity/use";
export const WI_CLIENT_ID = "azure.workload.identity/client-id";
export const WI_TENANT_ID = "azure.workload.identity/tenant-id";
export const WI_TOKEN_EXPIRATION = "azure.workload.identity/service-account-token-expiration";
export const WI_INJECT_PROXY_SIDECAR = "azure.workload.identity/inject-proxy-sidecar";
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";
export const AZURE_PUBLIC_AUTHORITY_HOST = "https://login.microsoftonline.com/";

/**
 * Where the webhook puts the token. Up to v1.5.x: volume `azure-identity-token`
 * at /var/run/secrets/azure/tokens; from v1.6.0: `azure-workload-identity-reserved-<hash>`
 * at /var/run/secrets/azure/wi with the token under `token/`.
 */
export const WEBHOOK_LAYOUTS = ["v1.5", "v1.6"] as const;
export type WebhookLayout = (typeof WEBHOOK_LAYOUTS)[number];

/** What the webhook injected into a pod at creation. */
export interface WebhookInjection {
  layout: WebhookLayout;
  /** Left out when the service account has no client-id annotation, as the webhook does. */
  clientId?: string;
  tenantId: string;
  expirationSeconds?: number;
  /** v1.6 volume name suffix (the webhook derives it from a sha256 of the pod name). */
  volumeHash?: string;
}

export interface ContainerTemplate {
  name: string;
  image: string;
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value: string }>;
  args?: string[];
  command?: string[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  /** Liveness and readiness probes: HTTP GET of this path on the named port. */
  probe?: { path: string; port: string };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  securityContext?: Record<string, unknown>;
}

export interface PodTemplate {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** Defaults to "default", as the API does. */
  serviceAccountName?: string;
  containers: ContainerTemplate[];
  initContainers?: ContainerTemplate[];
  hostNetwork?: boolean;
  nodeSelector?: Record<string, string>;
  tolerations?: Array<Record<string, unknown>>;
  priorityClassName?: string;
  /** "Always" (default) for long-running pods, "OnFailure"/"Never" for jobs. */
  restartPolicy?: string;
  /** The template's own volumes (config maps, emptyDirs); the API and the webhook add theirs. */
  volumes?: Array<Record<string, unknown>>;
}

export interface ObjectMeta {
  uid: string;
  created: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

const DEFAULT_RESOURCES = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } };
const DEFAULT_TOLERATIONS = Object.freeze([
  { effect: "NoExecute", key: "node.kubernetes.io/not-ready", operator: "Exists", tolerationSeconds: 300 },
  { effect: "NoExecute", key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 300 },
]);

function meta(name: string, namespace: string | undefined, m: ObjectMeta, extra: Record<string, unknown> = {}): KubeObject["metadata"] {
  return {
    ...(m.annotations && Object.keys(m.annotations).length > 0 && { annotations: m.annotations }),
    creationTimestamp: m.created,
    ...extra,
    ...(m.labels && Object.keys(m.labels).length > 0 && { labels: m.labels }),
    name,
    ...(namespace !== undefined && { namespace }),
    resourceVersion: m.resourceVersion ?? "1",
    uid: m.uid,
  };
}

function ownerRefs(owner: OwnerReference | undefined): Record<string, unknown> {
  if (!owner) return {};
  return { ownerReferences: ownerReferences(owner) };
}

/** metadata.ownerReferences naming a controller. */
export function ownerReferences(owner: OwnerReference): unknown[] {
  return [{ apiVersion: owner.apiVersion, blockOwnerDeletion: true, controller: true, kind: owner.kind, name: owner.name, uid: owner.uid }];
}

export function namespace(name: string, m: ObjectMeta): KubeObject {
  const labels = { "kubernetes.io/metadata.name": name, ...m.labels };
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: meta(name, undefined, { ...m, labels }),
    spec: { finalizers: ["kubernetes"] },
    status: { phase: "Active" },
  };
}

export function serviceAccount(ns: string, name: string, m: ObjectMeta): KubeObject {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(name, ns, m) };
}

export function service(
  ns: string,
  name: string,
  m: ObjectMeta,
  spec: { selector: Record<string, string>; ports: Array<{ name?: string; port: number; targetPort: number | string }>; clusterIP: string },
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(name, ns, m),
    spec: {
      clusterIP: spec.clusterIP,
      clusterIPs: [spec.clusterIP],
      internalTrafficPolicy: "Cluster",
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
      ports: spec.ports.map((p) => ({ ...(p.name && { name: p.name }), port: p.port, protocol: "TCP", targetPort: p.targetPort })),
      selector: spec.selector,
      sessionAffinity: "None",
      type: "ClusterIP",
    },
    status: { loadBalancer: {} },
  };
}

export function configMap(ns: string, name: string, m: ObjectMeta, data: Record<string, string>): KubeObject {
  return { apiVersion: "v1", data, kind: "ConfigMap", metadata: meta(name, ns, m) };
}

/** A probe as the API prints it, defaults filled in. */
function httpProbe(probe: { path: string; port: string }, initialDelaySeconds: number): Record<string, unknown> {
  return { failureThreshold: 3, httpGet: { path: probe.path, port: probe.port, scheme: "HTTP" }, initialDelaySeconds, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 };
}

function containerSpec(c: ContainerTemplate, extraEnv: ReadonlyArray<{ name: string; value: string }>, apiMounts: ReadonlyArray<Record<string, unknown>>): Record<string, unknown> {
  const env = [...(c.env ?? []), ...extraEnv.filter((e) => !(c.env ?? []).some((own) => own.name === e.name))];
  const mounts = [...(c.volumeMounts ?? []), ...apiMounts];
  return {
    ...(c.args && { args: c.args }),
    ...(c.command && { command: c.command }),
    ...(env.length > 0 && { env }),
    image: c.image,
    imagePullPolicy: c.image.endsWith(":latest") ? "Always" : "IfNotPresent",
    ...(c.probe && { livenessProbe: httpProbe(c.probe, 10) }),
    name: c.name,
    ...(c.ports && { ports: c.ports.map((p) => ({ containerPort: p.containerPort, ...(p.name && { name: p.name }), protocol: "TCP" })) }),
    ...(c.probe && { readinessProbe: httpProbe(c.probe, 5) }),
    resources: c.resources ?? DEFAULT_RESOURCES,
    ...(c.securityContext && { securityContext: c.securityContext }),
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    ...(mounts.length > 0 && { volumeMounts: mounts }),
  };
}

function commonPodSpec(t: PodTemplate): Record<string, unknown> {
  const sa = t.serviceAccountName ?? "default";
  return {
    dnsPolicy: t.hostNetwork ? "ClusterFirstWithHostNet" : "ClusterFirst",
    ...(t.hostNetwork && { hostNetwork: true }),
    ...(t.nodeSelector && { nodeSelector: t.nodeSelector }),
    ...(t.priorityClassName && { priorityClassName: t.priorityClassName }),
    restartPolicy: t.restartPolicy ?? "Always",
    schedulerName: "default-scheduler",
    securityContext: {},
    serviceAccount: sa,
    serviceAccountName: sa,
    terminationGracePeriodSeconds: 30,
  };
}

/** The pod template of a workload, as the API prints it. */
export function podTemplateSpec(t: PodTemplate): Record<string, unknown> {
  return {
    metadata: {
      ...(t.annotations && Object.keys(t.annotations).length > 0 && { annotations: t.annotations }),
      creationTimestamp: null,
      labels: t.labels,
    },
    spec: {
      containers: t.containers.map((c) => containerSpec(c, [], [])),
      ...(t.initContainers && { initContainers: t.initContainers.map((c) => containerSpec(c, [], [])) }),
      ...commonPodSpec(t),
      ...(t.tolerations && { tolerations: t.tolerations }),
      ...(t.volumes && { volumes: t.volumes }),
    },
  };
}

/** Names of the two volumes every pod of a template gets; pass the same parts to share them between pods. */
export interface PodSpecParts {
  containers: unknown[];
  initContainers?: unknown[];
  volumes: unknown[];
  tolerations: unknown[];
  common: Record<string, unknown>;
}

/** The parts of a pod spec that depend on its template and on what the webhook injected. */
export function podSpecParts(t: PodTemplate, kubeApiAccessSuffix: string, injection?: WebhookInjection): PodSpecParts {
  const kubeApiVolume = `kube-api-access-${kubeApiAccessSuffix}`;
  const mounts: Array<Record<string, unknown>> = [{ mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", name: kubeApiVolume, readOnly: true }];
  const volumes: unknown[] = [...(t.volumes ?? []), kubeApiAccessVolume(kubeApiVolume)];
  let env: Array<{ name: string; value: string }> = [];
  if (injection) {
    const v16 = injection.layout === "v1.6";
    const volumeName = v16 ? `azure-workload-identity-reserved-${injection.volumeHash ?? "0000000000"}` : "azure-identity-token";
    const mountPath = v16 ? "/var/run/secrets/azure/wi" : "/var/run/secrets/azure/tokens";
    const tokenPath = v16 ? "token/azure-identity-token" : "azure-identity-token";
    env = [
      ...(injection.clientId !== undefined && injection.clientId !== "" ? [{ name: "AZURE_CLIENT_ID", value: injection.clientId }] : []),
      { name: "AZURE_TENANT_ID", value: injection.tenantId },
      { name: "AZURE_FEDERATED_TOKEN_FILE", value: `${mountPath}/${tokenPath}` },
      { name: "AZURE_AUTHORITY_HOST", value: AZURE_PUBLIC_AUTHORITY_HOST },
    ];
    mounts.push({ mountPath, name: volumeName, readOnly: true });
    volumes.push({
      name: volumeName,
      projected: {
        defaultMode: 420,
        sources: [{ serviceAccountToken: { audience: TOKEN_EXCHANGE_AUDIENCE, expirationSeconds: injection.expirationSeconds ?? 3600, path: tokenPath } }],
      },
    });
  }
  return {
    containers: t.containers.map((c) => containerSpec(c, env, mounts)),
    ...(t.initContainers && { initContainers: t.initContainers.map((c) => containerSpec(c, env, mounts)) }),
    volumes,
    tolerations: [...(t.tolerations ?? []), ...DEFAULT_TOLERATIONS],
    common: commonPodSpec(t),
  };
}

export interface PodOptions {
  namespace: string;
  name: string;
  /** Pods made by a controller carry generateName (the owner's name and a dash). */
  generateName?: string;
  template: PodTemplate;
  /** Labels added by the controller (pod-template-hash, controller-revision-hash, ...). */
  extraLabels?: Record<string, string>;
  owner?: OwnerReference;
  meta: ObjectMeta;
  nodeName: string;
  hostIP: string;
  podIP: string;
  phase?: "Running" | "Succeeded" | "Pending";
  /** Built with podSpecParts; share it between pods of one template. */
  parts: PodSpecParts;
  /** Share between pods of one template too. */
  containerStatuses?: unknown[];
  restartCount?: number;
}

/** A pod as `kubectl get pod -o yaml` prints it. */
export function pod(o: PodOptions): KubeObject {
  const phase = o.phase ?? "Running";
  const labels = { ...o.template.labels, ...o.extraLabels };
  const annotations = o.template.annotations;
  const started = o.meta.created;
  const ready = phase === "Running" ? "True" : "False";
  // Host-network pods report the node's address as their own.
  const podIP = o.template.hostNetwork ? o.hostIP : o.podIP;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: meta(o.name, o.namespace, { ...o.meta, labels, ...(annotations && { annotations }) }, {
      ...(o.generateName && { generateName: o.generateName }),
      ...ownerRefs(o.owner),
    }),
    spec: {
      containers: o.parts.containers,
      ...o.parts.common,
      enableServiceLinks: true,
      ...(o.parts.initContainers && { initContainers: o.parts.initContainers }),
      nodeName: o.nodeName,
      preemptionPolicy: "PreemptLowerPriority",
      priority: 0,
      tolerations: o.parts.tolerations,
      volumes: o.parts.volumes,
    },
    status: {
      conditions: [
        { lastProbeTime: null, lastTransitionTime: started, status: ready, type: "PodReadyToStartContainers" },
        { lastProbeTime: null, lastTransitionTime: started, status: "True", type: "Initialized" },
        { lastProbeTime: null, lastTransitionTime: started, ...(phase === "Succeeded" && { reason: "PodCompleted" }), status: ready, type: "Ready" },
        { lastProbeTime: null, lastTransitionTime: started, ...(phase === "Succeeded" && { reason: "PodCompleted" }), status: ready, type: "ContainersReady" },
        { lastProbeTime: null, lastTransitionTime: started, status: "True", type: "PodScheduled" },
      ],
      containerStatuses: o.containerStatuses ?? containerStatuses(o.template, started, phase, o.meta.uid, o.restartCount ?? 0),
      hostIP: o.hostIP,
      hostIPs: [{ ip: o.hostIP }],
      phase,
      podIP,
      podIPs: [{ ip: podIP }],
      qosClass: "Burstable",
      startTime: started,
    },
  };
}

/** Container statuses of a running (or completed) pod. */
export function containerStatuses(t: PodTemplate, started: string, phase: "Running" | "Succeeded" | "Pending", seed: string, restartCount = 0): unknown[] {
  return t.containers.map((c, i) => ({
    containerID: `containerd://${digestLike(`${seed}/${c.name}/${i}`, 64)}`,
    image: c.image,
    imageID: `${c.image.split(":")[0]}@sha256:${digestLike(c.image, 64)}`,
    lastState: {},
    name: c.name,
    ready: phase === "Running",
    restartCount,
    started: phase === "Running",
    state:
      phase === "Succeeded"
        ? { terminated: { containerID: `containerd://${digestLike(`${seed}/${c.name}/${i}`, 64)}`, exitCode: 0, finishedAt: started, reason: "Completed", startedAt: started } }
        : { running: { startedAt: started } },
  }));
}

/** Cheap, deterministic hex (not cryptographic): image digests and container ids only need to look right. */
export function digestLike(key: string, length: number): string {
  let h1 = 0x811c9dc5;
  let out = "";
  while (out.length < length) {
    for (let i = 0; i < key.length; i++) {
      h1 ^= key.charCodeAt(i);
      h1 = Math.imul(h1, 0x01000193) >>> 0;
    }
    h1 = Math.imul(h1 ^ out.length, 0x01000193) >>> 0;
    out += h1.toString(16).padStart(8, "0");
  }
  return out.slice(0, length);
}

export interface WorkloadOptions {
  namespace: string;
  name: string;
  meta: ObjectMeta;
  template: PodTemplate;
  selector: Record<string, string>;
  replicas: number;
  /** 0 (or undefined) leaves the field out, as the API does. */
  readyReplicas?: number;
  generation?: number;
}

export function deployment(o: WorkloadOptions): KubeObject {
  const ready = o.readyReplicas ?? 0;
  const generation = o.generation ?? 1;
  const available = ready >= o.replicas;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(o.name, o.namespace, { ...o.meta, annotations: { "deployment.kubernetes.io/revision": String(generation), ...o.meta.annotations } }, { generation }),
    spec: {
      progressDeadlineSeconds: 600,
      replicas: o.replicas,
      revisionHistoryLimit: 10,
      selector: { matchLabels: o.selector },
      strategy: { rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" }, type: "RollingUpdate" },
      template: podTemplateSpec(o.template),
    },
    status: {
      ...(ready > 0 && { availableReplicas: ready }),
      conditions: [
        {
          lastTransitionTime: o.meta.created,
          lastUpdateTime: o.meta.created,
          message: available ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
          reason: available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
          status: available ? "True" : "False",
          type: "Available",
        },
        {
          lastTransitionTime: o.meta.created,
          lastUpdateTime: o.meta.created,
          message: `ReplicaSet "${o.name}" has successfully progressed.`,
          reason: "NewReplicaSetAvailable",
          status: "True",
          type: "Progressing",
        },
      ],
      observedGeneration: generation,
      ...(ready > 0 && { readyReplicas: ready }),
      replicas: o.replicas,
      ...(ready < o.replicas && { unavailableReplicas: o.replicas - ready }),
      updatedReplicas: o.replicas,
    },
  };
}

/** A ReplicaSet owned by a Deployment, named `<deployment>-<hash>`. */
export function replicaSet(o: WorkloadOptions & { owner: OwnerReference; templateHash: string; failedCreate?: string }): KubeObject {
  const ready = o.readyReplicas ?? 0;
  const template = podTemplateSpec({ ...o.template, labels: { ...o.template.labels, "pod-template-hash": o.templateHash } });
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: meta(
      o.name,
      o.namespace,
      {
        ...o.meta,
        labels: { ...o.template.labels, "pod-template-hash": o.templateHash },
        annotations: { "deployment.kubernetes.io/desired-replicas": String(o.replicas), "deployment.kubernetes.io/max-replicas": String(Math.ceil(o.replicas * 1.25)), "deployment.kubernetes.io/revision": "1" },
      },
      { generation: 1, ...ownerRefs(o.owner) },
    ),
    spec: { replicas: o.replicas, selector: { matchLabels: { ...o.selector, "pod-template-hash": o.templateHash } }, template },
    status: {
      ...(ready > 0 && { availableReplicas: ready }),
      ...(o.failedCreate && {
        conditions: [{ lastTransitionTime: o.meta.created, message: o.failedCreate, reason: "FailedCreate", status: "True", type: "ReplicaFailure" }],
      }),
      ...(ready > 0 && { fullyLabeledReplicas: ready }),
      observedGeneration: 1,
      ...(ready > 0 && { readyReplicas: ready }),
      replicas: ready,
    },
  };
}

export function statefulSet(o: WorkloadOptions & { serviceName: string; revision: string }): KubeObject {
  const ready = o.readyReplicas ?? 0;
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: meta(o.name, o.namespace, o.meta, { generation: 1 }),
    spec: {
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      podManagementPolicy: "OrderedReady",
      replicas: o.replicas,
      revisionHistoryLimit: 10,
      selector: { matchLabels: o.selector },
      serviceName: o.serviceName,
      template: podTemplateSpec(o.template),
      updateStrategy: { rollingUpdate: { partition: 0 }, type: "RollingUpdate" },
    },
    status: {
      ...(ready > 0 && { availableReplicas: ready }),
      collisionCount: 0,
      currentReplicas: o.replicas,
      currentRevision: `${o.name}-${o.revision}`,
      observedGeneration: 1,
      ...(ready > 0 && { readyReplicas: ready }),
      replicas: o.replicas,
      updateRevision: `${o.name}-${o.revision}`,
      updatedReplicas: o.replicas,
    },
  };
}

export function daemonSet(o: Omit<WorkloadOptions, "replicas"> & { nodes: number }): KubeObject {
  const ready = o.readyReplicas ?? 0;
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: meta(o.name, o.namespace, { ...o.meta, annotations: { "deprecated.daemonset.template.generation": "1", ...o.meta.annotations } }, { generation: 1 }),
    spec: {
      revisionHistoryLimit: 10,
      selector: { matchLabels: o.selector },
      template: podTemplateSpec(o.template),
      updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: "RollingUpdate" },
    },
    status: {
      currentNumberScheduled: o.nodes,
      desiredNumberScheduled: o.nodes,
      numberAvailable: ready,
      numberMisscheduled: 0,
      numberReady: ready,
      observedGeneration: 1,
      updatedNumberScheduled: o.nodes,
    },
  };
}

export function cronJob(o: { namespace: string; name: string; meta: ObjectMeta; schedule: string; template: PodTemplate; lastScheduleTime?: string }): KubeObject {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: meta(o.name, o.namespace, o.meta, { generation: 1 }),
    spec: {
      concurrencyPolicy: "Forbid",
      failedJobsHistoryLimit: 1,
      jobTemplate: { metadata: { creationTimestamp: null }, spec: { backoffLimit: 2, template: podTemplateSpec({ restartPolicy: "OnFailure", ...o.template }) } },
      schedule: o.schedule,
      successfulJobsHistoryLimit: 3,
      suspend: false,
    },
    status: { ...(o.lastScheduleTime && { lastScheduleTime: o.lastScheduleTime, lastSuccessfulTime: o.lastScheduleTime }) },
  };
}

export function job(o: { namespace: string; name: string; meta: ObjectMeta; template: PodTemplate; owner?: OwnerReference; completedAt: string }): KubeObject {
  const controllerUid = o.meta.uid;
  const labels = { ...o.template.labels, "batch.kubernetes.io/controller-uid": controllerUid, "batch.kubernetes.io/job-name": o.name, "controller-uid": controllerUid, "job-name": o.name };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta(o.name, o.namespace, { ...o.meta, labels }, { generation: 1, ...ownerRefs(o.owner) }),
    spec: {
      backoffLimit: 2,
      completionMode: "NonIndexed",
      completions: 1,
      manualSelector: false,
      parallelism: 1,
      podReplacementPolicy: "TerminatingOrFailed",
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": controllerUid } },
      suspend: false,
      template: podTemplateSpec({ restartPolicy: "OnFailure", ...o.template, labels }),
    },
    status: {
      completionTime: o.completedAt,
      conditions: [
        { lastProbeTime: o.completedAt, lastTransitionTime: o.completedAt, message: "Reached expected number of succeeded pods", reason: "CompletionsReached", status: "True", type: "SuccessCriteriaMet" },
        { lastProbeTime: o.completedAt, lastTransitionTime: o.completedAt, message: "Reached expected number of succeeded pods", reason: "CompletionsReached", status: "True", type: "Complete" },
      ],
      ready: 0,
      startTime: o.meta.created,
      succeeded: 1,
      terminating: 0,
      uncountedTerminatedPods: {},
    },
  };
}

/**
 * The namespaceSelector that the AKS admissions enforcer writes into every
 * admission webhook configuration that does not opt out with the label or
 * annotation `admissions.enforcer/disabled: "true"` (azure-aks-docs
 * articles/aks/faq.yml, "Can admission controller webhooks affect kube-system
 * and internal AKS namespaces?"). Its expressions as found on AKS clusters:
 * `control-plane` DoesNotExist (Azure/AKS#1771, knative/pkg#1592) and
 * `kubernetes.azure.com/managedby` NotIn [aks] (Azure/AKS#4002,
 * openkruise/charts#155, DataDog/datadog-agent#11367).
 */
export const AKS_ADMISSIONS_ENFORCER_NAMESPACE_SELECTOR = {
  matchExpressions: [
    { key: "control-plane", operator: "DoesNotExist" },
    { key: "kubernetes.azure.com/managedby", operator: "NotIn", values: ["aks"] },
  ],
} as const;

/**
 * The workload identity webhook's MutatingWebhookConfiguration as it reads on
 * an AKS cluster: the Helm chart's and the add-on's entry (namespaceSelector
 * {} and objectSelector on the use label, azure-workload-identity
 * deploy/azure-wi-webhook.yaml), with the namespaceSelector the admissions
 * enforcer has written into it.
 */
export function workloadIdentityWebhookConfiguration(name: string, m: ObjectMeta, serviceNamespace: string, caBundle: string): KubeObject {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: meta(name, undefined, m, { generation: 1 }),
    webhooks: [
      {
        admissionReviewVersions: ["v1", "v1beta1"],
        clientConfig: { caBundle, service: { name: "azure-wi-webhook-webhook-service", namespace: serviceNamespace, path: "/mutate-v1-pod", port: 443 } },
        failurePolicy: "Fail",
        matchPolicy: "Equivalent",
        name: "mutation.azure-workload-identity.io",
        namespaceSelector: structuredClone(AKS_ADMISSIONS_ENFORCER_NAMESPACE_SELECTOR) as unknown as Record<string, unknown>,
        objectSelector: { matchLabels: { [WI_LABEL_USE]: "true" } },
        reinvocationPolicy: "IfNeeded",
        rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"], scope: "*" }],
        sideEffects: "None",
        timeoutSeconds: 10,
      },
    ],
  };
}

/** Makes one pod; `ownerReferences` replaces the prototype's (the owner's uid differs per cluster). */
export type PodStamp = (name: string, uid: string, nodeIndex: number, podIP: string, resourceVersion: string, ownerReferences?: unknown[]) => KubeObject;

/**
 * Makes many pods of one template cheaply: everything but name, uid and pod IP
 * is built once per node and shared, so a 750,000-pod fleet stays small.
 */
export function podStamper(o: Omit<PodOptions, "name" | "meta" | "nodeName" | "hostIP" | "podIP"> & { created: string; nodes: ReadonlyArray<{ name: string; ip: string }> }): PodStamp {
  const statuses = o.containerStatuses ?? containerStatuses(o.template, o.created, o.phase ?? "Running", o.generateName ?? o.namespace, o.restartCount ?? 0);
  const prototypes = o.nodes.map((node) =>
    pod({ ...o, name: "prototype", meta: { uid: "prototype", created: o.created }, nodeName: node.name, hostIP: node.ip, podIP: node.ip, containerStatuses: statuses }),
  );
  return (name, uid, nodeIndex, podIP, resourceVersion, ownerReferences) => {
    const prototype = prototypes[nodeIndex % prototypes.length];
    if (!prototype) throw new Error("podStamper needs at least one node");
    const ip = o.template.hostNetwork ? (prototype.status as { hostIP: string }).hostIP : podIP;
    return {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { ...prototype.metadata, name, resourceVersion, uid, ...(ownerReferences && { ownerReferences }) },
      spec: prototype.spec,
      status: { ...(prototype.status as Record<string, unknown>), podIP: ip, podIPs: [{ ip }] },
    };
  };
}
