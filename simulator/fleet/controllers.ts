/**
 * The controllers a cluster file may ask the simulator to run, so that a
 * cluster of a few hundred pods is described by its workloads instead of
 * megabytes of pasted pods (test/fleets/README.md). A file asks with a
 * document that is not a Kubernetes object:
 *
 *   fleetSimulator:
 *     runControllers: true
 *
 * Then, for each Deployment and StatefulSet of the file whose pods the file
 * does not list, the simulator creates what kube-controller-manager and the
 * admission chain would have created (kubernetes/kubernetes sources):
 *
 * - a Deployment gets a ReplicaSet `<deployment>-<pod-template-hash>`
 *   (pkg/controller/deployment/sync.go, getNewReplicaSet: the name is
 *   `deployment.Name + "-" + podTemplateSpecHash`, the hash is
 *   controller.ComputeHash of the template, pkg/controller/controller_utils.go:
 *   FNV-32a, then rand.SafeEncodeString of its decimal digits), labelled and
 *   selected by `pod-template-hash`, owned by the Deployment;
 * - a ReplicaSet's pods are named by the API server from generateName
 *   `<replicaset>-` plus 5 random characters of utilrand's alphabet
 *   (k8s.io/apiserver storage names.SimpleNameGenerator; k8s.io/apimachinery
 *   pkg/util/rand String), owned by the ReplicaSet
 *   (pkg/controller/controller_utils.go, GetPodFromTemplate);
 * - a StatefulSet's pods are `<statefulset>-<ordinal>` with the
 *   `controller-revision-hash`, `statefulset.kubernetes.io/pod-name` and
 *   `apps.kubernetes.io/pod-index` labels (pkg/controller/statefulset/stateful_set_utils.go,
 *   newStatefulSetPod / getPodName);
 * - each pod gets the ServiceAccount admission plugin's `kube-api-access-*`
 *   volume, DefaultTolerationSeconds' two tolerations, a node, and a Running
 *   status; and, when the cluster runs the workload identity webhook and the
 *   pod is labelled `azure.workload.identity/use: "true"`, what the webhook
 *   injects (Azure/azure-workload-identity pkg/webhook/webhook.go: the four
 *   AZURE_* variables, never overwriting one that is set, and the projected
 *   token volume; v1.6 layout, as the AKS add-on runs it).
 *
 * Names and ids come from a hash of the owner's name, not from randomness:
 * the same file gives the same pods, so logs.json can name them.
 */
import { createHash } from "node:crypto";
import type { KubeObject } from "./model.js";

/** The key of the directive document. */
export const CONTROLLERS_DIRECTIVE_KEY = "fleetSimulator";

/** The alphabet of utilrand.String and SafeEncodeString (no vowels, no look-alikes). */
const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
const WEBHOOK_NAME = "mutation.azure-workload-identity.io";
const USE_LABEL = "azure.workload.identity/use";
/** When the pods of the expanded workloads were created (and started). */
const CREATED = "2026-11-30T08:00:00Z";

type Json = Record<string, unknown>;

/** True for the document that asks for the controllers (it is no Kubernetes object and is not served). */
export function isControllersDirective(document: unknown): boolean {
  return typeof document === "object" && document !== null && CONTROLLERS_DIRECTIVE_KEY in document && !("kind" in document);
}

/** The directive's choice: run the controllers or not. */
export function asksForControllers(document: unknown): boolean {
  return isControllersDirective(document) && (document as { fleetSimulator?: { runControllers?: unknown } }).fleetSimulator?.runControllers === true;
}

/** Replicas one workload may ask for: a fleet file is input, and a typo must not fill the heap. */
export const MAX_REPLICAS = 5000;

/** The workloads whose replica count the controllers refuse (not a whole number in 0..MAX_REPLICAS). */
export function replicaProblems(objects: readonly KubeObject[]): Array<{ object: string; problem: string }> {
  return objects
    .filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet")
    .filter((o) => {
      const replicas = ((o.spec ?? {}) as Json).replicas;
      return replicas !== undefined && !(Number.isInteger(replicas) && (replicas as number) >= 0 && (replicas as number) <= MAX_REPLICAS);
    })
    .map((o) => ({ object: `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, problem: `spec.replicas must be a whole number from 0 to ${MAX_REPLICAS} when the simulator runs the controllers` }));
}

/** The file's objects with what the controllers add: ReplicaSets and pods of the workloads that list none (check replicaProblems first). */
export function runControllers(objects: readonly KubeObject[]): KubeObject[] {
  const webhook = workloadIdentityWebhook(objects);
  const nodes = nodeNames(objects);
  const owned = new Set(objects.flatMap((o) => ownerRefs(o).map((ref) => `${o.metadata.namespace}/${ref.kind}/${ref.name}`)));
  const added: KubeObject[] = [];
  const stamp = (owner: KubeObject, name: string, template: Json, extraLabels: Record<string, string>, index: number) =>
    added.push(podFrom(owner, name, template, extraLabels, objects, webhook, nodes[index % nodes.length]!, index));

  for (const workload of objects) {
    const key = `${workload.metadata.namespace}/${workload.kind}/${workload.metadata.name}`;
    if (owned.has(key)) continue;
    const spec = (workload.spec ?? {}) as Json;
    const template = (spec.template ?? {}) as Json;
    const replicas = typeof spec.replicas === "number" ? spec.replicas : 1;
    if (workload.kind === "Deployment") {
      const hash = safeEncode(String(fnv32a(JSON.stringify(template))));
      const replicaSet = replicaSetOf(workload, template, hash, replicas);
      added.push(replicaSet);
      const rsTemplate = (replicaSet.spec as Json).template as Json;
      for (let i = 0; i < replicas; i++) stamp(replicaSet, `${replicaSet.metadata.name}-${randomSuffix(`${replicaSet.metadata.name}/${i}`)}`, rsTemplate, {}, i);
    } else if (workload.kind === "StatefulSet") {
      const revision = `${workload.metadata.name}-${safeEncode(String(fnv32a(JSON.stringify(template))))}`;
      for (let i = 0; i < replicas; i++) {
        const name = `${workload.metadata.name}-${i}`;
        stamp(workload, name, template, { "apps.kubernetes.io/pod-index": String(i), "controller-revision-hash": revision, "statefulset.kubernetes.io/pod-name": name }, i);
      }
    }
  }
  return [...objects, ...added];
}

function ownerRefs(object: KubeObject): Array<{ kind: string; name: string }> {
  const refs = object.metadata.ownerReferences;
  return Array.isArray(refs) ? (refs as Array<{ kind: string; name: string }>) : [];
}

function replicaSetOf(deployment: KubeObject, template: Json, hash: string, replicas: number): KubeObject {
  const templateMeta = (template.metadata ?? {}) as Json;
  const labels = { ...((templateMeta.labels ?? {}) as Record<string, string>), "pod-template-hash": hash };
  const selector = (((deployment.spec as Json).selector as Json | undefined)?.matchLabels ?? {}) as Record<string, string>;
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      annotations: { "deployment.kubernetes.io/desired-replicas": String(replicas), "deployment.kubernetes.io/max-replicas": String(replicas + Math.ceil(replicas / 4)), "deployment.kubernetes.io/revision": "1" },
      creationTimestamp: deployment.metadata.creationTimestamp,
      generation: 1,
      labels,
      name: `${deployment.metadata.name}-${hash}`,
      namespace: deployment.metadata.namespace!,
      ownerReferences: [controllerRef(deployment)],
      resourceVersion: resourceVersion(`${deployment.metadata.namespace}/${deployment.metadata.name}/rs`),
      uid: uid(`${deployment.metadata.namespace}/${deployment.metadata.name}/rs`),
    },
    spec: { replicas, selector: { matchLabels: { ...selector, "pod-template-hash": hash } }, template: { ...template, metadata: { ...templateMeta, labels } } },
    status: { availableReplicas: replicas, fullyLabeledReplicas: replicas, observedGeneration: 1, readyReplicas: replicas, replicas },
  };
}

function controllerRef(owner: KubeObject): Json {
  return { apiVersion: owner.apiVersion, blockOwnerDeletion: true, controller: true, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid ?? uid(`${owner.metadata.namespace}/${owner.kind}/${owner.metadata.name}`) };
}

function podFrom(owner: KubeObject, name: string, template: Json, extraLabels: Record<string, string>, objects: readonly KubeObject[], webhook: Webhook | undefined, node: Node, index: number): KubeObject {
  const namespace = owner.metadata.namespace!;
  const templateMeta = (template.metadata ?? {}) as Json;
  const labels = { ...((templateMeta.labels ?? {}) as Record<string, string>), ...extraLabels };
  const annotations = templateMeta.annotations as Record<string, string> | undefined;
  const spec = structuredClone((template.spec ?? {}) as Json);
  const serviceAccountName = typeof spec.serviceAccountName === "string" ? spec.serviceAccountName : "default";
  const kubeApiAccess = `kube-api-access-${randomSuffix(`${namespace}/${name}/kube-api-access`)}`;
  const containers = [...((spec.initContainers ?? []) as Json[]), ...((spec.containers ?? []) as Json[])];
  for (const container of containers) {
    container.volumeMounts = [...((container.volumeMounts ?? []) as Json[]), { mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", name: kubeApiAccess, readOnly: true }];
  }
  const volumes: Json[] = [...((spec.volumes ?? []) as Json[]), kubeApiAccessVolume(kubeApiAccess)];
  const serviceAccount = objects.find((o) => o.kind === "ServiceAccount" && o.metadata.namespace === namespace && o.metadata.name === serviceAccountName);
  if (webhook && labels[USE_LABEL] === "true" && webhook.serves(objects.find((o) => o.kind === "Namespace" && o.metadata.name === namespace))) {
    volumes.push(injectWorkloadIdentity(containers, name, serviceAccount, annotations, webhook.tenantId));
  }
  const podIP = `10.244.${index % 4}.${(fnv32a(`${namespace}/${name}`) % 250) + 2}`;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...(annotations !== undefined && { annotations }),
      creationTimestamp: CREATED,
      // The API server names a ReplicaSet's pods from generateName; a StatefulSet names its own.
      ...(owner.kind === "ReplicaSet" && { generateName: `${owner.metadata.name}-` }),
      labels,
      name,
      namespace,
      ownerReferences: [controllerRef(owner)],
      resourceVersion: resourceVersion(`${namespace}/${name}`),
      uid: uid(`${namespace}/${name}`),
    },
    spec: {
      ...spec,
      enableServiceLinks: spec.enableServiceLinks ?? true,
      nodeName: node.name,
      preemptionPolicy: "PreemptLowerPriority",
      priority: 0,
      serviceAccount: serviceAccountName,
      serviceAccountName,
      tolerations: [
        ...((spec.tolerations ?? []) as Json[]),
        { effect: "NoExecute", key: "node.kubernetes.io/not-ready", operator: "Exists", tolerationSeconds: 300 },
        { effect: "NoExecute", key: "node.kubernetes.io/unreachable", operator: "Exists", tolerationSeconds: 300 },
      ],
      volumes,
    },
    status: runningStatus(name, (spec.containers ?? []) as Json[], node.ip, podIP),
  };
}

/** The projected volume the ServiceAccount admission plugin adds to every pod (plugin/pkg/admission/serviceaccount). */
export function kubeApiAccessVolume(name: string): Json {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
        { configMap: { items: [{ key: "ca.crt", path: "ca.crt" }], name: "kube-root-ca.crt" } },
        { downwardAPI: { items: [{ fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" }, path: "namespace" }] } },
      ],
    },
  };
}

/** What the webhook adds to each container (a variable already set is kept), and the token volume it returns. */
function injectWorkloadIdentity(containers: Json[], podName: string, serviceAccount: KubeObject | undefined, podAnnotations: Record<string, string> | undefined, defaultTenant: string): Json {
  const saAnnotations = serviceAccount?.metadata.annotations ?? {};
  const clientId = saAnnotations["azure.workload.identity/client-id"] ?? "";
  const tenantId = saAnnotations["azure.workload.identity/tenant-id"] || defaultTenant;
  const expiration = Number(podAnnotations?.["azure.workload.identity/service-account-token-expiration"] ?? saAnnotations["azure.workload.identity/service-account-token-expiration"] ?? 3600);
  const volumeName = `azure-workload-identity-reserved-${createHash("sha256").update(podName).digest("hex").slice(0, 10)}`;
  const injected = [
    ...(clientId !== "" ? [{ name: "AZURE_CLIENT_ID", value: clientId }] : []),
    { name: "AZURE_TENANT_ID", value: tenantId },
    { name: "AZURE_FEDERATED_TOKEN_FILE", value: "/var/run/secrets/azure/wi/token/azure-identity-token" },
    { name: "AZURE_AUTHORITY_HOST", value: "https://login.microsoftonline.com/" },
  ];
  for (const container of containers) {
    const env = (container.env ?? []) as Json[];
    container.env = [...env, ...injected.filter((variable) => !env.some((set) => set.name === variable.name))];
    container.volumeMounts = [...((container.volumeMounts ?? []) as Json[]), { mountPath: "/var/run/secrets/azure/wi", name: volumeName, readOnly: true }];
  }
  return { name: volumeName, projected: { defaultMode: 420, sources: [{ serviceAccountToken: { audience: "api://AzureADTokenExchange", expirationSeconds: expiration, path: "token/azure-identity-token" } }] } };
}

function runningStatus(name: string, containers: Json[], hostIP: string, podIP: string): Json {
  const condition = (type: string) => ({ lastProbeTime: null, lastTransitionTime: CREATED, status: "True", type });
  return {
    conditions: ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map(condition),
    containerStatuses: containers.map((c) => ({
      containerID: `containerd://${createHash("sha256").update(`${name}/${String(c.name)}`).digest("hex")}`,
      image: c.image,
      imageID: `${String(c.image).split(":")[0]}@sha256:${createHash("sha256").update(String(c.image)).digest("hex")}`,
      lastState: {},
      name: c.name,
      ready: true,
      restartCount: 0,
      started: true,
      state: { running: { startedAt: CREATED } },
    })),
    hostIP,
    hostIPs: [{ ip: hostIP }],
    phase: "Running",
    podIP,
    podIPs: [{ ip: podIP }],
    qosClass: "Burstable",
    startTime: CREATED,
  };
}

interface Webhook {
  tenantId: string;
  serves(namespace: KubeObject | undefined): boolean;
}

/**
 * The workload identity webhook, when the cluster has its configuration: the
 * tenant it injects (AZURE_TENANT_ID of its azure-wi-webhook-config ConfigMap)
 * and the namespaces its namespaceSelector admits.
 */
function workloadIdentityWebhook(objects: readonly KubeObject[]): Webhook | undefined {
  const configuration = objects.find((o) => o.kind === "MutatingWebhookConfiguration" && ((o.webhooks ?? []) as Json[]).some((w) => w.name === WEBHOOK_NAME));
  if (!configuration) return undefined;
  const selector = (((configuration.webhooks ?? []) as Json[]).find((w) => w.name === WEBHOOK_NAME)?.namespaceSelector ?? {}) as Json;
  const config = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "azure-wi-webhook-config");
  const tenantId = String(((config?.data ?? {}) as Json).AZURE_TENANT_ID ?? "");
  return { tenantId, serves: (namespace) => namespace !== undefined && matchesSelector(selector, namespace.metadata.labels ?? {}) };
}

/** A LabelSelector object (matchLabels, matchExpressions) as metav1.LabelSelectorAsSelector reads it. */
function matchesSelector(selector: Json, labels: Record<string, string>): boolean {
  const matchLabels = (selector.matchLabels ?? {}) as Record<string, string>;
  if (Object.entries(matchLabels).some(([key, value]) => labels[key] !== value)) return false;
  return ((selector.matchExpressions ?? []) as Array<{ key: string; operator: string; values?: string[] }>).every(({ key, operator, values = [] }) => {
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    if (operator === "In") return has && values.includes(labels[key]!);
    if (operator === "NotIn") return !has || !values.includes(labels[key]!);
    if (operator === "Exists") return has;
    return operator === "DoesNotExist" ? !has : false;
  });
}

interface Node {
  name: string;
  ip: string;
}

/** The nodes the file's own pods run on (the pods of the expanded workloads go round them). */
function nodeNames(objects: readonly KubeObject[]): Node[] {
  const nodes = new Map<string, string>();
  for (const o of objects) {
    if (o.kind !== "Pod") continue;
    const name = (o.spec as Json | undefined)?.nodeName;
    const ip = (o.status as Json | undefined)?.hostIP;
    if (typeof name === "string" && typeof ip === "string") nodes.set(name, ip);
  }
  const list = [...nodes].map(([name, ip]) => ({ name, ip }));
  return list.length > 0 ? list : [{ name: "aks-nodepool1-00000000-vmss000000", ip: "10.224.0.4" }];
}

/** FNV-32a, the hash ComputeHash uses. */
function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** rand.SafeEncodeString: each byte to a character of the alphabet. */
function safeEncode(text: string): string {
  return [...Buffer.from(text)].map((byte) => ALPHANUMS[byte % ALPHANUMS.length]).join("");
}

/** Five characters of utilrand's alphabet, derived from the key instead of drawn at random. */
function randomSuffix(key: string): string {
  const digest = createHash("sha256").update(key).digest();
  return [...digest.subarray(0, 5)].map((byte) => ALPHANUMS[byte % ALPHANUMS.length]).join("");
}

function uid(key: string): string {
  const hex = createHash("sha256").update(`uid/${key}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function resourceVersion(key: string): string {
  return String(20000 + (fnv32a(key) % 900000));
}
