/**
 * Generates large fleets for benchmarks and scale tests: the same real object
 * shapes as a hand-written fleet, deterministic from a seed, with a share of
 * clusters carrying one misconfiguration from the check catalog. The answer
 * key (which misconfiguration went where) comes back beside the fleet so a
 * test can check that a scan finds exactly what was planted.
 *
 * @example
 * const { fleet, injected } = generateFleetWithAnswers({ clusters: 50, seed: 7 });
 * await writeFleet(fleet, "/tmp/fleet-50");
 */
import type { CheckId } from "../../shared/findings/model.js";
import type { ArmObject, FleetDescription, KubeObject } from "../fleet/model.js";
import * as az from "./azure.js";
import * as k from "./kube.js";
import { Random } from "./random.js";

export { writeFleet, clusterYaml } from "./write.js";

export interface GenerateFleetOptions {
  clusters: number;
  subscriptions?: number;
  /** Service accounts per cluster, besides the ones in kube-system (default 30). */
  serviceAccountsPerCluster?: number;
  /** Pods per cluster, all namespaces included (default 150). */
  podsPerCluster?: number;
  /** Of those, pods that use workload identity (default 10). */
  workloadIdentityPodsPerCluster?: number;
  /** Managed identities per cluster, one workload each (default 2). */
  identitiesPerCluster?: number;
  /** Share of clusters given one misconfiguration, 0..1 (default 0.2). */
  misconfigurationRate?: number;
  seed?: number;
  /** Adds one more cluster, "aks-giant", with this many pods. */
  giantClusterPods?: number;
}

/** Misconfigurations the generator plants, each with the check that must report it. */
export const MISCONFIGURATIONS = [
  "missing-fic",
  "issuer-trailing-slash",
  "issuer-case",
  "audience-missing",
  "dangling-fic",
  "client-id-unknown",
  "label-missing",
  "label-on-deployment",
  "not-mutated",
  "token-expiration-invalid",
  "excluded-namespace",
  "webhook-not-ready",
] as const;
export type Misconfiguration = (typeof MISCONFIGURATIONS)[number];

export function expectedCheckId(m: Misconfiguration): CheckId {
  switch (m) {
    case "missing-fic":
      return "sa.no-matching-fic";
    case "issuer-trailing-slash":
    case "issuer-case":
      return "fic.issuer-mismatch";
    case "audience-missing":
      return "fic.audience-missing";
    case "dangling-fic":
      return "fic.dangling";
    case "client-id-unknown":
      return "sa.client-id-unknown";
    case "label-missing":
      return "pod.label-missing";
    case "label-on-deployment":
      return "workload.label-on-wrong-object";
    case "not-mutated":
      return "pod.not-mutated";
    case "token-expiration-invalid":
      return "pod.token-expiration-invalid";
    case "excluded-namespace":
      return "pod.excluded-namespace";
    case "webhook-not-ready":
      return "cluster.webhook-not-running";
  }
}

/** Where a misconfiguration was planted: the object the expected finding is about. */
export interface InjectedMisconfiguration {
  cluster: string;
  misconfiguration: Misconfiguration;
  checkId: CheckId;
  namespace?: string;
  /** Kubernetes kind, "ManagedCluster" or "FederatedCredential". */
  kind: string;
  /** The object's name; for pod findings, every pod of the workload is concerned. */
  name: string;
  /** Pod names, for pod-level findings. */
  pods?: string[];
}

export interface GeneratedFleet {
  fleet: FleetDescription;
  injected: InjectedMisconfiguration[];
}

export function generateFleet(options: GenerateFleetOptions): FleetDescription {
  return generateFleetWithAnswers(options).fleet;
}

const LOCATIONS = ["westeurope", "northeurope", "swedencentral", "eastus2", "uksouth"] as const;
const TEAMS = ["payments", "checkout", "search", "catalog", "identity", "data", "ml", "web", "mobile", "ops"] as const;
const WEBHOOK_IMAGE = "mcr.microsoft.com/oss/v2/azure/workload-identity/webhook:v1.6.0";
const APP_IMAGE = "crcontoso.azurecr.io/apps/service:1.0.0";
const CREATED = "2025-06-01T09:00:00Z";
const POD_CREATED = "2026-11-20T09:00:00Z";
const WEBHOOK_SINCE = "2025-06-01T08:00:00Z";

export function generateFleetWithAnswers(options: GenerateFleetOptions): GeneratedFleet {
  const o = {
    subscriptions: 2,
    serviceAccountsPerCluster: 30,
    podsPerCluster: 150,
    workloadIdentityPodsPerCluster: 10,
    identitiesPerCluster: 2,
    misconfigurationRate: 0.2,
    seed: 1,
    ...options,
  };
  if (!Number.isInteger(o.clusters) || o.clusters < 0) throw new RangeError("clusters must be a non-negative integer");
  if (o.identitiesPerCluster < 1) throw new RangeError("identitiesPerCluster must be at least 1");
  const random = new Random(o.seed);
  const tenantId = random.guid();
  const subscriptions = Array.from({ length: Math.max(1, o.subscriptions) }, (_, i) => ({
    subscriptionId: random.guid(),
    displayName: `sub-${String(i + 1).padStart(3, "0")}`,
  }));

  const state: FleetState = {
    random,
    tenantId,
    managedClusters: [],
    userAssignedIdentities: [],
    federatedIdentityCredentials: {},
    roleAssignments: [],
    clusters: new Map(),
    injected: [],
    cache: new Map(),
  };
  const plans: ClusterPlan[] = [];
  let planted = 0;
  for (let i = 0; i < o.clusters; i++) {
    const sub = subscriptions[i % subscriptions.length]!;
    const misconfigured = random.next() < o.misconfigurationRate;
    plans.push({
      name: `aks-${String(i + 1).padStart(4, "0")}`,
      subscriptionId: sub.subscriptionId,
      location: LOCATIONS[i % LOCATIONS.length]!,
      pods: o.podsPerCluster,
      // In turn rather than at random, so that even a small fleet holds every kind.
      ...(misconfigured && { misconfiguration: MISCONFIGURATIONS[planted++ % MISCONFIGURATIONS.length]! }),
    });
  }
  if (o.giantClusterPods !== undefined && o.giantClusterPods > 0) {
    plans.push({ name: "aks-giant", subscriptionId: subscriptions[0]!.subscriptionId, location: "westeurope", pods: o.giantClusterPods });
  }
  for (const plan of plans) buildCluster(state, plan, o);

  const fleet: FleetDescription = {
    source: "generated",
    azure: {
      tenantId,
      subscriptions,
      managedClusters: state.managedClusters,
      userAssignedIdentities: state.userAssignedIdentities,
      federatedIdentityCredentials: state.federatedIdentityCredentials,
      applications: [],
      servicePrincipals: [],
      roleAssignments: state.roleAssignments,
    },
    clusters: state.clusters,
    logs: {},
    faults: {},
  };
  return { fleet, injected: state.injected };
}

interface FleetState {
  random: Random;
  tenantId: string;
  managedClusters: ArmObject[];
  userAssignedIdentities: ArmObject[];
  federatedIdentityCredentials: Record<string, ArmObject[]>;
  roleAssignments: ArmObject[];
  clusters: Map<string, KubeObject[]>;
  injected: InjectedMisconfiguration[];
  /** Workloads by template, shared between clusters. */
  cache: Map<string, BuiltWorkload>;
}

/**
 * An application pod as teams ship them, so that objects are of real size (a
 * pod of 5-10 kB on the wire with its managedFields): the app with its
 * settings, probes, a hardened security context and mounts, a log-forwarding
 * sidecar, a config map and two emptyDirs.
 */
function appPod(name: string): Pick<k.PodTemplate, "containers" | "volumes" | "tolerations"> {
  const hardened = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 10001 };
  return {
    containers: [
      {
        name: "app",
        image: APP_IMAGE,
        ports: [
          { name: "http", containerPort: 8080 },
          { name: "metrics", containerPort: 9090 },
        ],
        env: [
          { name: "ASPNETCORE_URLS", value: "http://+:8080" },
          { name: "LOG_LEVEL", value: "Information" },
          { name: "OTEL_SERVICE_NAME", value: name },
          { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "http://otel-collector.monitoring.svc.cluster.local:4317" },
          { name: "FEATURE_FLAGS_URL", value: "https://appconfig-contoso.azconfig.io" },
        ],
        probe: { path: "/healthz", port: "http" },
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        securityContext: hardened,
        volumeMounts: [
          { name: "config", mountPath: "/app/config", readOnly: true },
          { name: "tmp", mountPath: "/tmp" },
          { name: "logs", mountPath: "/var/log/app" },
        ],
      },
      {
        name: "log-forwarder",
        image: "mcr.microsoft.com/oss/v2/fluent/fluent-bit:v3.1.9",
        args: ["--config=/fluent-bit/etc/fluent-bit.conf"],
        resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        securityContext: hardened,
        volumeMounts: [{ name: "logs", mountPath: "/var/log/app", readOnly: true }],
      },
    ],
    volumes: [
      { configMap: { defaultMode: 420, name: `${name}-config` }, name: "config" },
      { emptyDir: {}, name: "tmp" },
      { emptyDir: { sizeLimit: "256Mi" }, name: "logs" },
    ],
    tolerations: [{ effect: "NoSchedule", key: "workload", operator: "Equal", value: "apps" }],
  };
}

/** Every cluster's nodes carry the same names: pods of a shared template can then share their spec. */
const NODES = [0, 1, 2].map((i) => ({ name: `aks-nodepool1-31415926-vmss${String(i).padStart(6, "0")}`, ip: `10.224.0.${i + 4}` }));

interface BuiltWorkload {
  deployment: KubeObject;
  replicaSet: KubeObject;
  replicaSetName: string;
  stamp?: k.PodStamp;
}

function buildWorkload(
  ns: string,
  name: string,
  template: k.PodTemplate,
  replicas: number,
  podCount: number,
  opts: { labels?: Record<string, string>; mutation?: k.WebhookInjection; readyReplicas?: number },
  hash: string,
  kubeApiSuffix: string,
): BuiltWorkload {
  const placeholder: k.ObjectMeta = { uid: "", created: CREATED };
  const selector = { app: name };
  const ready = opts.readyReplicas ?? podCount;
  const deployment = k.deployment({ namespace: ns, name, meta: { ...placeholder, labels: { app: name, ...opts.labels } }, template, selector, replicas, readyReplicas: ready });
  const replicaSetName = `${name}-${hash}`;
  const replicaSet = k.replicaSet({ namespace: ns, name: replicaSetName, meta: placeholder, template, selector, replicas, readyReplicas: ready, owner: { apiVersion: "apps/v1", kind: "Deployment", name, uid: "" }, templateHash: hash });
  if (podCount === 0) return { deployment, replicaSet, replicaSetName };
  const parts = k.podSpecParts(template, kubeApiSuffix, opts.mutation && { ...opts.mutation, volumeHash: stableSuffix(`${ns}/${name}/${hash}`, 10).replace(/[^0-9a-f]/g, "a") });
  const stamp = k.podStamper({ namespace: ns, generateName: `${replicaSetName}-`, template, extraLabels: { "pod-template-hash": hash }, created: POD_CREATED, nodes: NODES, parts });
  return { deployment, replicaSet, replicaSetName, stamp };
}

/** A Kubernetes-style suffix derived from a key (pod-template-hash is a hash of the template too). */
function stableSuffix(key: string, length: number): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  const hex = k.digestLike(key, length * 2);
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[parseInt(hex.slice(i * 2, i * 2 + 2), 16) % alphabet.length];
  return out;
}

interface ClusterPlan {
  name: string;
  subscriptionId: string;
  location: string;
  pods: number;
  misconfiguration?: Misconfiguration;
}

type ResolvedOptions = Required<Omit<GenerateFleetOptions, "giantClusterPods">>;

function buildCluster(state: FleetState, plan: ClusterPlan, o: ResolvedOptions): void {
  const { random, tenantId, cache } = state;
  const m = plan.misconfiguration;
  const resourceGroup = `rg-${plan.name}`;
  const issuerGuid = random.guid();
  const issuer = az.oidcIssuerUrl(plan.location, tenantId, issuerGuid);
  state.managedClusters.push(
    az.managedCluster({
      subscriptionId: plan.subscriptionId,
      resourceGroup,
      name: plan.name,
      location: plan.location,
      tenantId,
      kubernetesVersion: "1.32.7",
      fqdnSuffix: random.hex(8),
      oidcIssuerEnabled: true,
      issuerGuid,
      workloadIdentityEnabled: true,
      // ARM and Resource Graph disagree on this casing; a fleet must carry both.
      idSpelling: state.managedClusters.length % 2 === 0 ? "resourceGroups" : "resourcegroups",
    }),
  );

  const objects: KubeObject[] = [];
  let resourceVersion = 1000;
  // One random prefix per cluster and a counter: unique, GUID-shaped, and cheap for 750,000 pods.
  const uidPrefix = random.guid().slice(0, 23);
  let uidCounter = 0;
  const uid = () => [uidPrefix, (uidCounter++).toString(16).padStart(12, "0")].join("-");
  const rv = () => String((resourceVersion += 3));
  const meta = (extra: Partial<k.ObjectMeta> = {}): k.ObjectMeta => ({ uid: uid(), created: CREATED, resourceVersion: rv(), ...extra });
  let podBudget = plan.pods;
  let podIpCounter = 0;
  const podIP = (node: number) => {
    podIpCounter += 1;
    return `10.244.${node + (podIpCounter >> 8) * 3}.${podIpCounter & 255}`;
  };

  /**
   * A Deployment with its ReplicaSet and pods; returns the pod names. With a
   * cache key, a workload built for an earlier cluster is reused and only its
   * identity (uids, names of pods) is new: templates repeat across a fleet.
   */
  const workload = (ns: string, name: string, template: k.PodTemplate, replicas: number, opts: { labels?: Record<string, string>; noPods?: boolean; mutation?: k.WebhookInjection; readyReplicas?: number; cacheKey?: string } = {}): string[] => {
    const podCount = opts.noPods ? 0 : Math.max(0, Math.min(replicas, podBudget));
    podBudget -= podCount;
    const key = opts.cacheKey === undefined ? undefined : `${opts.cacheKey}|${replicas}|${podCount}|${opts.readyReplicas ?? ""}`;
    let built = key === undefined ? undefined : cache.get(key);
    if (!built) {
      built = buildWorkload(ns, name, template, replicas, podCount, opts, key === undefined ? random.nameSuffix(10) : stableSuffix(key, 10), random.nameSuffix(5));
      if (key !== undefined) cache.set(key, built);
    }
    const deploymentUid = uid();
    objects.push({ ...built.deployment, metadata: { ...built.deployment.metadata, resourceVersion: rv(), uid: deploymentUid } });
    const replicaSetUid = uid();
    objects.push({
      ...built.replicaSet,
      metadata: { ...built.replicaSet.metadata, ownerReferences: k.ownerReferences({ apiVersion: "apps/v1", kind: "Deployment", name, uid: deploymentUid }), resourceVersion: rv(), uid: replicaSetUid },
    });
    if (podCount === 0 || !built.stamp) return [];
    const owner = k.ownerReferences({ apiVersion: "apps/v1", kind: "ReplicaSet", name: built.replicaSetName, uid: replicaSetUid });
    const names: string[] = [];
    for (let i = 0; i < podCount; i++) {
      const podName = [built.replicaSetName, random.nameSuffix(5)].join("-");
      names.push(podName);
      objects.push(built.stamp(podName, uid(), i, podIP(i % NODES.length), rv(), owner));
    }
    return names;
  };

  // Cluster-level objects.
  for (const ns of ["default", "kube-node-lease", "kube-public", "kube-system"]) {
    objects.push(k.namespace(ns, meta()));
    objects.push(k.serviceAccount(ns, "default", meta()));
  }
  objects.push(k.serviceAccount("kube-system", "coredns", meta()));
  workload("kube-system", "coredns", { labels: { "k8s-app": "kube-dns" }, serviceAccountName: "coredns", containers: [{ name: "coredns", image: "mcr.microsoft.com/oss/v2/kubernetes/coredns:v1.11.3-8" }] }, 2, { cacheKey: "coredns" });
  const webhookLabels = { "azure-workload-identity.io/system": "true" };
  objects.push(k.serviceAccount("kube-system", "azure-wi-webhook-admin", meta({ labels: webhookLabels })));
  workload(
    "kube-system",
    "azure-wi-webhook-controller-manager",
    { labels: webhookLabels, serviceAccountName: "azure-wi-webhook-admin", containers: [{ name: "manager", image: WEBHOOK_IMAGE, ports: [{ name: "webhook-server", containerPort: 9443 }] }] },
    2,
    { labels: webhookLabels, ...(m === "webhook-not-ready" && { readyReplicas: 0 }), cacheKey: "webhook" },
  );
  objects.push(k.workloadIdentityWebhookConfiguration("azure-wi-webhook-mutating-webhook-configuration", meta({ labels: webhookLabels }), "kube-system", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="));
  if (m === "webhook-not-ready") {
    state.injected.push({ cluster: plan.name, misconfiguration: m, checkId: expectedCheckId(m), kind: "ManagedCluster", name: plan.name });
  }

  // Application namespaces, service accounts and workloads.
  const namespaceCount = Math.max(1, Math.ceil(o.serviceAccountsPerCluster / 6));
  const namespaces = Array.from({ length: namespaceCount }, (_, i) => `${TEAMS[i % TEAMS.length]}-${Math.floor(i / TEAMS.length) + 1}`);
  for (const ns of namespaces) {
    objects.push(k.namespace(ns, meta({ labels: { team: ns.replace(/-\d+$/, "") } })));
    objects.push(k.serviceAccount(ns, "default", meta()));
  }

  const identities = o.identitiesPerCluster;
  const wiPodsEach = Math.max(1, Math.floor(o.workloadIdentityPodsPerCluster / identities));
  for (let w = 0; w < identities; w++) {
    const planted = w === 0 ? m : undefined;
    const ns = planted === "excluded-namespace" ? "kube-system" : namespaces[w % namespaces.length]!;
    const saName = `wi-app-${w + 1}`;
    const identityName = `id-${plan.name}-app-${w + 1}`;
    const identityRg = `rg-${plan.name}-identities`;
    const clientId = random.guid();
    const principalId = random.guid();
    const identity = az.userAssignedIdentity({ subscriptionId: plan.subscriptionId, resourceGroup: identityRg, name: identityName, location: plan.location, tenantId, clientId, principalId });
    state.userAssignedIdentities.push(identity);
    const subject = `system:serviceaccount:${ns}:${saName}`;
    const credentials: ArmObject[] = [];
    if (planted !== "missing-fic") {
      const credentialIssuer = planted === "issuer-trailing-slash" ? issuer.replace(/\/$/, "") : planted === "issuer-case" ? issuer.replace(issuerGuid, issuerGuid.toUpperCase()) : issuer;
      credentials.push(
        az.federatedIdentityCredential(identity.id, {
          name: `${plan.name}-${saName}`,
          issuer: credentialIssuer,
          subject,
          ...(planted === "audience-missing" && { audiences: ["https://kubernetes.default.svc.cluster.local"] }),
        }),
      );
    }
    if (planted === "dangling-fic") {
      credentials.push(az.federatedIdentityCredential(identity.id, { name: `${plan.name}-${saName}-old`, issuer, subject: `system:serviceaccount:${ns}:${saName}-old` }));
    }
    if (credentials.length > 0) state.federatedIdentityCredentials[identity.id] = credentials;
    state.roleAssignments.push(
      az.roleAssignment({
        scope: `/subscriptions/${plan.subscriptionId}/resourceGroups/${resourceGroup}`,
        subscriptionId: plan.subscriptionId,
        role: "Storage Blob Data Reader",
        principalId,
        name: random.guid(),
      }),
    );

    const annotatedClientId = planted === "client-id-unknown" ? random.guid() : clientId;
    objects.push(k.serviceAccount(ns, saName, meta({ annotations: { [k.WI_CLIENT_ID]: annotatedClientId } })));
    const name = `wi-app-${w + 1}`;
    const podLabelled = planted !== "label-missing" && planted !== "label-on-deployment";
    const template: k.PodTemplate = {
      labels: { app: name, ...(podLabelled && { [k.WI_LABEL_USE]: "true" }) },
      ...(planted === "token-expiration-invalid" && { annotations: { [k.WI_TOKEN_EXPIRATION]: "100" } }),
      serviceAccountName: saName,
      ...appPod(name),
    };
    const mutated = podLabelled && planted !== "not-mutated" && planted !== "excluded-namespace" && planted !== "token-expiration-invalid";
    const pods = workload(ns, name, template, wiPodsEach, {
      ...(planted === "label-on-deployment" && { labels: { [k.WI_LABEL_USE]: "true" } }),
      ...(planted === "token-expiration-invalid" && { noPods: true }),
      ...(mutated && { mutation: { layout: "v1.6", clientId: annotatedClientId, tenantId } }),
    });
    if (planted !== undefined && planted !== "webhook-not-ready") {
      state.injected.push(describePlanted(plan.name, planted, ns, saName, name, pods, credentials));
    }
  }

  // Plain service accounts and workloads fill the rest.
  const plainAccounts = Math.max(0, o.serviceAccountsPerCluster - identities);
  for (let i = 0; i < plainAccounts; i++) {
    objects.push(k.serviceAccount(namespaces[i % namespaces.length]!, `svc-${i + 1}`, meta()));
  }
  let index = 0;
  while (podBudget > 0) {
    const ns = namespaces[index % namespaces.length]!;
    const name = `svc-${index + 1}`;
    const replicas = Math.min(podBudget, 3 + (index % 4));
    const serviceAccountName = index < plainAccounts ? name : undefined;
    workload(ns, name, { labels: { app: name }, ...(serviceAccountName && { serviceAccountName }), ...appPod(name) }, replicas, { cacheKey: `plain/${ns}/${name}/${serviceAccountName ?? ""}` });
    index += 1;
  }
  state.clusters.set(plan.name, objects);
}

function describePlanted(cluster: string, m: Misconfiguration, ns: string, sa: string, workloadName: string, pods: string[], credentials: ArmObject[]): InjectedMisconfiguration {
  const base = { cluster, misconfiguration: m, checkId: expectedCheckId(m), namespace: ns };
  switch (m) {
    case "missing-fic":
    case "client-id-unknown":
    case "issuer-trailing-slash":
    case "issuer-case":
      return { ...base, kind: "ServiceAccount", name: sa };
    case "audience-missing":
      return { ...base, kind: "FederatedCredential", name: credentials[0]?.name ?? "" };
    case "dangling-fic":
      return { ...base, kind: "FederatedCredential", name: credentials[1]?.name ?? "" };
    case "label-on-deployment":
    case "token-expiration-invalid":
      return { ...base, kind: "Deployment", name: workloadName };
    case "label-missing":
    case "not-mutated":
    case "excluded-namespace":
      return { ...base, kind: "Pod", name: workloadName, pods };
    case "webhook-not-ready":
      return { ...base, kind: "ManagedCluster", name: cluster };
  }
}
