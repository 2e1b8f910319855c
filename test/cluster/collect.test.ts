import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { accessFromKubeconfig, collectClusterSnapshot, resolveClusterAccess, type ClusterAccess, type ClusterSnapshot } from "../../shared/cluster/index.js";
import type { AksCluster } from "../../shared/inventory/model.js";
import type { Simulator, SimulatorOptions } from "../../simulator/index.js";
import { generatedCluster, loadMiniFleet, MINI_FLEET_CLUSTERS, MINI_FLEET_DIR, MINI_FLEET_TENANT, miniFleetCluster, withCluster } from "../simulator/kubernetes/fleets.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";

const TENANT = MINI_FLEET_TENANT;
const NOW = new Date("2026-11-29T12:00:00Z");


const shopCluster = MINI_FLEET_CLUSTERS.shop;
const entraCluster = MINI_FLEET_CLUSTERS.entra;

let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  sim = await startFleetSimulator({ fleetDir: MINI_FLEET_DIR, ...options });
  return sim;
}

/**
 * The mini fleet as written, without faults or options, shared by the tests
 * that only read it and count nothing on the server: a simulator start costs
 * about a second of CPU (docs/testing.md).
 */
let plainSimulator: Promise<Simulator> | undefined;
function plain(): Promise<Simulator> {
  plainSimulator ??= startFleetSimulator({ fleetDir: MINI_FLEET_DIR });
  return plainSimulator;
}
afterAll(async () => {
  await (await plainSimulator)?.close();
});

/** The production path: the cluster-user credential from ARM, the scanner's credential for Entra clusters. */
async function accessTo(simulator: Simulator, cluster: AksCluster): Promise<ClusterAccess> {
  const clients = clientsFor(simulator);
  const result = await resolveClusterAccess(cluster, { containerService: clients.containerService(cluster.subscriptionId), credential: clients.credential });
  if (!result.ok) throw new Error(`no access: ${result.error.message}`);
  return result.access;
}

async function snapshotOf(simulator: Simulator, cluster: AksCluster, options: Parameters<typeof collectClusterSnapshot>[2] = {}): Promise<ClusterSnapshot> {
  return collectClusterSnapshot(cluster, await accessTo(simulator, cluster), { now: NOW, ...options });
}

describe("a cluster reached through its cluster-user credential", () => {
  it("collects every page of pods and keeps those that touch workload identity", async () => {
    const snapshot = await snapshotOf(await plain(), shopCluster, { pageSize: 2 });

    expect(snapshot.errors).toEqual([]);
    expect(snapshot.accessPath).toBe("direct");
    expect(snapshot.collectedAt).toBe("2026-11-29T12:00:00.000Z");
    expect(snapshot.stats).toMatchObject({ podsSeen: 6, podPages: 3 });
    expect(snapshot.stats.requests).toBeGreaterThan(10);
    expect(snapshot.pods.map((pod) => `${pod.namespace}/${pod.name}`)).toEqual([
      "batch-jobs/nightly-29412345-q7w8e", // runs as an annotated service account
      "shop/legacy-report-5f6d7c8b9-abcde", // carries a client-id annotation itself
      "shop/orders-7d9c8b6f5-k8s9p", // labelled
      "shop/orders-7d9c8b6f5-x2x4q", // labelled
    ]);
    expect(snapshot.namespaces.map((ns) => ns.name)).toEqual(["batch-jobs", "default", "kube-system", "shop"]);
    expect(snapshot.serviceAccounts).toHaveLength(5);
  });

  it("keeps of a pod only what the checks need, and nothing secret", async () => {
    const snapshot = await snapshotOf(await plain(), shopCluster);
    const pod = snapshot.pods.find((p) => p.name === "orders-7d9c8b6f5-x2x4q");
    expect(pod).toEqual({
      namespace: "shop",
      name: "orders-7d9c8b6f5-x2x4q",
      labels: { app: "orders", "azure.workload.identity/use": "true", "pod-template-hash": "7d9c8b6f5" },
      annotations: { "azure.workload.identity/skip-containers": "istio-proxy" },
      serviceAccountName: "orders",
      hostNetwork: false,
      creationTimestamp: "2026-11-20T10:00:00Z",
      phase: "Running",
      owner: { kind: "ReplicaSet", name: "orders-7d9c8b6f5" },
      containers: [
        {
          name: "orders",
          init: false,
          env: {
            AZURE_CLIENT_ID: "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            AZURE_TENANT_ID: TENANT,
            AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
            AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com/",
          },
          mountPaths: ["/var/run/secrets/kubernetes.io/serviceaccount", "/var/run/secrets/azure/tokens"],
        },
        { name: "istio-proxy", init: false, env: {}, mountPaths: ["/var/run/secrets/kubernetes.io/serviceaccount"] },
      ],
      projectedTokenVolumes: [
        { volumeName: "kube-api-access-abcde", expirationSeconds: 3607, path: "token" },
        { volumeName: "azure-identity-token", audience: "api://AzureADTokenExchange", expirationSeconds: 3600, path: "azure-identity-token" },
      ],
    });
    expect(JSON.stringify(snapshot)).not.toContain("DB_PASSWORD");
  });

  it("keeps the workloads, services and webhook objects that concern workload identity", async () => {
    const snapshot = await snapshotOf(await plain(), shopCluster);
    expect(snapshot.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`)).toEqual([
      "Deployment shop/legacy-report",
      "Deployment shop/orders",
      "ReplicaSet shop/orders-7d9c8b6f5",
      "CronJob batch-jobs/nightly",
    ]);
    expect(snapshot.workloads.find((w) => w.name === "legacy-report")).toMatchObject({
      labels: { app: "legacy-report", "azure.workload.identity/use": "true" },
      template: { labels: { app: "legacy-report" }, serviceAccountName: "report" },
      replicas: 1,
    });
    expect(snapshot.workloads.find((w) => w.name === "legacy-report")?.readyReplicas).toBeUndefined();
    expect(snapshot.workloads.find((w) => w.kind === "CronJob")?.template).toEqual({
      labels: { "azure.workload.identity/use": "true" },
      annotations: {},
      serviceAccountName: "nightly",
      hostNetwork: false,
      // Containers as slim as a pod's: only the webhook's variables (none set by hand here).
      containers: [{ name: "export", init: false, env: {}, mountPaths: [] }],
    });
    expect(snapshot.services).toEqual([
      { namespace: "shop", name: "orders", annotations: { "azure.workload.identity/client-id": "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" }, selector: { app: "orders" } },
    ]);
    expect(snapshot.webhookDeployments).toEqual([{ namespace: "kube-system", name: "azure-wi-webhook-controller-manager", source: "aks-addon", replicas: 2, readyReplicas: 2 }]);
    expect(snapshot.mutatingWebhooks).toEqual([
      {
        configurationName: "azure-wi-webhook-mutating-webhook-configuration",
        webhooks: [
          {
            name: "mutation.azure-workload-identity.io",
            objectSelectorLabels: { "azure.workload.identity/use": "true" },
            // The selectors as the cluster holds them: on AKS the admissions enforcer's namespaceSelector
            // (simulator/generator/kube.ts cites the sources), evaluated by shared/checks/webhook-scope.ts.
            namespaceSelector: {
              matchExpressions: [
                { key: "control-plane", operator: "DoesNotExist" },
                { key: "kubernetes.azure.com/managedby", operator: "NotIn", values: ["aks"] },
              ],
            },
            objectSelector: { matchLabels: { "azure.workload.identity/use": "true" } },
            service: { namespace: "kube-system", name: "azure-wi-webhook-webhook-service" },
            failurePolicy: "Fail",
          },
        ],
      },
    ]);
  });

  it("keeps of a service account only its workload-identity annotations, however large the others", async () => {
    const clientId = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    const large = "x".repeat(250 * 1024);
    const fleet = withCluster(await loadMiniFleet(), "annotated-aks", [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } },
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: {
          name: "api",
          namespace: "team",
          labels: { app: "api" },
          annotations: { "azure.workload.identity/client-id": clientId, "kubectl.kubernetes.io/last-applied-configuration": large, "example.com/notes": "kept nowhere" },
        },
      },
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: "team", annotations: { "example.com/state": large } } },
    ]);
    const snapshot = await snapshotOf(await start({ fleet }), miniFleetCluster("annotated-aks", "shop-rg"));
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.serviceAccounts).toEqual([
      { namespace: "team", name: "api", labels: { app: "api" }, annotations: { "azure.workload.identity/client-id": clientId } },
      { namespace: "team", name: "default", labels: {}, annotations: {} },
    ]);
  });

  it("extracts AADSTS codes with their count and last time from the logs of labelled pods only", async () => {
    const simulator = await start({ kubernetes: { now: () => NOW } });
    const snapshot = await snapshotOf(simulator, shopCluster, { logPodsPerOwner: 2 });
    expect(snapshot.logEvidence).toEqual([
      { namespace: "shop", pod: "orders-7d9c8b6f5-x2x4q", container: "orders", code: "AADSTS700016", count: 1, lastSeen: "2026-11-29T11:59:58.000000000Z" },
      { namespace: "shop", pod: "orders-7d9c8b6f5-x2x4q", container: "orders", code: "AADSTS70021", count: 2, lastSeen: "2026-11-29T11:59:57.000000000Z" },
    ]);
    expect(JSON.stringify(snapshot)).not.toContain("No matching federated identity record");
  });
});

describe("log reading", () => {
  it("reads one replica of each owner unless told to read more", async () => {
    // orders runs two replicas; only the second in the API's order (x2x4q, containers orders and istio-proxy) logged AADSTS errors.
    const onePerOwner = await start({ kubernetes: { now: () => NOW } });
    const first = await snapshotOf(onePerOwner, shopCluster);
    expect(first.logEvidence).toEqual([]);
    const twoPerOwner = await start({ kubernetes: { now: () => NOW } });
    const both = await snapshotOf(twoPerOwner, shopCluster, { logPodsPerOwner: 2 });
    expect(new Set(both.logEvidence.map((evidence) => evidence.pod))).toEqual(new Set(["orders-7d9c8b6f5-x2x4q"]));
    expect(both.stats.requests).toBe(first.stats.requests + 2);
  });

  it("reads no logs when logTailLines is 0", async () => {
    const simulator = await start();
    const snapshot = await snapshotOf(simulator, shopCluster, { logTailLines: 0 });
    expect(snapshot.logEvidence).toEqual([]);
    expect(simulator.requestCounts().kubernetes).toBe(snapshot.stats.requests);
    expect(snapshot.stats.requests).toBe(11);
  });
});

describe("an Entra-integrated cluster", () => {
  it("is read with a token for the AKS server application from the scanner's credential", async () => {
    const simulator = await plain();
    const access = await accessTo(simulator, entraCluster);
    expect(access.authentication).toBe("entra");
    const snapshot = await collectClusterSnapshot(entraCluster, access, { now: NOW });
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.pods.map((pod) => pod.name)).toEqual(["api-5c4b3a291-zz9yy"]);
    expect(snapshot.serviceAccounts.map((sa) => `${sa.namespace}/${sa.name}`)).toEqual(["payments/api"]);
  });
});

describe("collection errors", () => {
  it("reports an unreachable API server as one typed error instead of throwing", async () => {
    const simulator = await start({ faults: { rules: [{ family: "kubernetes", cluster: "shop-aks", fault: "unreachable" }] } });
    const snapshot = await snapshotOf(simulator, shopCluster);
    expect(snapshot.accessPath).toBe("none");
    expect(snapshot.errors).toEqual([expect.objectContaining({ kind: "unreachable", resource: "namespaces", verb: "list" })]);
    expect(snapshot.pods).toEqual([]);
  });

  it("gives up on an API server that never completes a connection after one connect deadline, without retrying", async () => {
    // Accepts TCP and never answers the TLS handshake, as a firewall that swallows packets looks to a client.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const simulator = await plain();
      const access = await accessTo(simulator, shopCluster);
      const unanswered = { ...access, server: `https://127.0.0.1:${(silent.address() as AddressInfo).port}` };
      const started = performance.now();
      const snapshot = await collectClusterSnapshot(shopCluster, unanswered, { now: NOW, requestTimeoutMs: 400 });
      const elapsedMs = performance.now() - started;
      expect(snapshot.accessPath).toBe("none");
      expect(snapshot.errors).toEqual([expect.objectContaining({ kind: "timeout", resource: "namespaces", verb: "list", message: expect.stringContaining("no connection to the API server") })]);
      expect(snapshot.stats.requests).toBe(1);
      expect(elapsedMs).toBeLessThan(3 * 400);
    } finally {
      silent.close();
    }
  });

  it("reads a cluster with the cluster-user credential's client certificate alone (x509 authentication)", async () => {
    const simulator = await plain();
    const { bearerToken: _token, ...access } = await accessTo(simulator, shopCluster);
    expect(access.clientCertificate).toBeDefined();
    const withToken = await collectClusterSnapshot(shopCluster, await accessTo(simulator, shopCluster), { now: NOW });
    const snapshot = await collectClusterSnapshot(shopCluster, access, { now: NOW });
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.pods).toEqual(withToken.pods);
    // Without the certificate the token alone still works; without either, the server refuses.
    const { clientCertificate: _certificate, bearerToken: _alsoToken, ...neither } = await accessTo(simulator, shopCluster);
    const refused = await collectClusterSnapshot(shopCluster, neither, { now: NOW });
    expect(refused.errors).toEqual([expect.objectContaining({ kind: "unauthorized", resource: "namespaces" })]);
  });

  it("reports a client certificate that cannot be used as unauthorized, without sending anything", async () => {
    const simulator = await start();
    const access = await accessTo(simulator, shopCluster);
    const broken = { ...access, clientCertificate: () => ({ certData: Buffer.from("not a certificate").toString("base64"), keyData: Buffer.from("not a key").toString("base64") }) };
    const snapshot = await collectClusterSnapshot(shopCluster, broken, { now: NOW });
    expect(snapshot.accessPath).toBe("none");
    expect(snapshot.errors).toEqual([expect.objectContaining({ kind: "unauthorized", resource: "namespaces", message: expect.stringContaining("client certificate cannot be used") })]);
    expect(simulator.requestCounts().kubernetes).toBe(0);
  });

  it("reports a forbidden resource with its verb and group and still collects the rest", async () => {
    const simulator = await start({
      kubernetes: {
        forbidden: [
          { cluster: "shop-aks", resource: "mutatingwebhookconfigurations", verb: "list" },
          { cluster: "shop-aks", resource: "pods/log", namespace: "shop" },
        ],
      },
    });
    const snapshot = await snapshotOf(simulator, shopCluster);
    expect(snapshot.errors).toEqual([
      {
        kind: "forbidden",
        resource: "mutatingwebhookconfigurations",
        verb: "list",
        group: "admissionregistration.k8s.io",
        httpStatus: 403,
        message:
          'mutatingwebhookconfigurations.admissionregistration.k8s.io is forbidden: User "masterclient" cannot list resource "mutatingwebhookconfigurations" in API group "admissionregistration.k8s.io" at the cluster scope',
      },
      expect.objectContaining({ kind: "forbidden", resource: "pods/log", verb: "get", group: "", namespace: "shop", httpStatus: 403 }),
    ]);
    expect(snapshot.mutatingWebhooks).toEqual([]);
    expect(snapshot.logEvidence).toEqual([]);
    expect(snapshot.pods).toHaveLength(4);
    expect(snapshot.webhookDeployments).toHaveLength(1);
  });

  it("reports a list that outlives the request timeout as a timeout", async () => {
    const simulator = await start({ faults: { rules: [{ family: "kubernetes", cluster: "shop-aks", path: "^/apis/batch/v1/cronjobs", fault: "latency", latencyMs: 1500 }] } });
    const snapshot = await snapshotOf(simulator, shopCluster, { requestTimeoutMs: 300 });
    expect(snapshot.errors).toEqual([expect.objectContaining({ kind: "timeout", resource: "cronjobs", verb: "list", group: "batch" })]);
    expect(snapshot.pods).toHaveLength(4);
  });

  it("retries a list the API server answered with 503 once", async () => {
    const simulator = await start({ faults: { rules: [{ family: "kubernetes", cluster: "shop-aks", path: "^/api/v1/pods", fault: "status", status: 503, count: 1 }] } });
    const snapshot = await snapshotOf(simulator, shopCluster);
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.stats.podsSeen).toBe(6);
  });

  it("starts a list over when a page breaks off half-way, so that no pod is lost or counted twice", async () => {
    const clean = await snapshotOf(await plain(), shopCluster, { pageSize: 2 });
    const simulator = await start({ faults: { rules: [{ family: "kubernetes", cluster: "shop-aks", path: "^/api/v1/pods\\?.*continue=", fault: "truncate", count: 1 }] } });
    const snapshot = await snapshotOf(simulator, shopCluster, { pageSize: 2 });
    expect(simulator.faultCounts()).toEqual({ "kubernetes truncate": 1 });
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.stats.podsSeen).toBe(clean.stats.podsSeen);
    expect(snapshot.pods).toEqual(clean.pods);
    expect(snapshot.stats.requests).toBeGreaterThan(clean.stats.requests);
  });

  it("reports a credential that cannot get a token as unauthorized", async () => {
    const simulator = await plain();
    const failing = { getToken: () => Promise.reject(new Error("AADSTS7000215: Invalid client secret provided.")) };
    const result = accessFromKubeconfig(entraCluster, simulator.kubeconfigFor("entra-aks"), failing);
    if (!result.ok) throw new Error(result.error.message);
    const snapshot = await collectClusterSnapshot(entraCluster, result.access, { now: NOW });
    expect(snapshot.accessPath).toBe("none");
    expect(snapshot.errors).toEqual([
      expect.objectContaining({
        kind: "unauthorized",
        resource: "namespaces",
        // Asked in the cluster's tenant (aadProfile.tenantID), which the message names.
        message: `could not get a token for 6dae42f8-4368-4678-94ff-3960e28e3630/.default in tenant ${entraCluster.aad!.tenantId}: AADSTS7000215: Invalid client secret provided.`,
      }),
    ]);
  });

  it("reports a refused token as unauthorized without the token in any message", async () => {
    const simulator = await start({ faults: { rules: [{ family: "kubernetes", cluster: "shop-aks", fault: "unauthorized" }] } });
    const access = await accessTo(simulator, shopCluster);
    const snapshot = await collectClusterSnapshot(shopCluster, access, { now: NOW });
    expect(snapshot.errors).toEqual([expect.objectContaining({ kind: "unauthorized", resource: "namespaces", httpStatus: 401 })]);
    const token = await access.bearerToken?.();
    expect(token).toBeTruthy();
    expect(JSON.stringify(snapshot)).not.toContain(token);
    expect(JSON.stringify(access)).not.toContain(token);
  });
});

describe("large clusters", () => {
  it("restarts a pod list whose continue token expired, losing and duplicating no pod", async () => {
    const fleet = withCluster(await loadMiniFleet(), "big-aks", generatedCluster(1000, { labelledEvery: 10 }));
    const simulator = await start({ fleet, kubernetes: { expireContinue: [{ cluster: "big-aks", resource: "pods", after: 4, count: 1 }] } });
    const snapshot = await snapshotOf(simulator, miniFleetCluster("big-aks", "shop-rg"), { pageSize: 100 });
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.stats.podsSeen).toBe(1000);
    // Five pages were read before the token expired, then all ten again.
    expect(snapshot.stats.podPages).toBe(15);
    const names = snapshot.pods.map((pod) => pod.name);
    expect(names).toHaveLength(100);
    expect(new Set(names).size).toBe(100);
  });

  it("collects a cluster of 20,000 pods page by page, keeping only the workload-identity ones", async () => {
    const fleet = withCluster(await loadMiniFleet(), "huge-aks", generatedCluster(20_000, { namespaces: 40, labelledEvery: 200 }));
    const simulator = await start({ fleet, skipValidation: true });
    const snapshot = await snapshotOf(simulator, miniFleetCluster("huge-aks", "shop-rg"));
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.stats.podsSeen).toBe(20_000);
    expect(snapshot.stats.podPages).toBe(40);
    expect(snapshot.pods).toHaveLength(100);
    expect(snapshot.logEvidence).toEqual([]);
  });
});
