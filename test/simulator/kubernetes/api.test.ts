import { ApiException, AppsV1Api, CoreV1Api, KubeConfig, VersionApi, type V1Status } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AKS_SERVER_APP_ID } from "../../../simulator/kubernetes/index.js";
import type { Simulator, SimulatorOptions } from "../../../simulator/index.js";
import { accessToken, httpsRequest, startFleetSimulator, type RawResponse } from "../../support/simulator.js";
import { generatedCluster, loadMiniFleet, withCluster } from "./fleets.js";

const NOW = new Date("2026-11-29T12:00:00Z");

let server: Simulator;
let shop: CoreV1Api;
let shopToken: string;

async function startWithBigCluster(options: Partial<SimulatorOptions> = {}, pods = 25): Promise<Simulator> {
  const fleet = withCluster(await loadMiniFleet(), "big-aks", generatedCluster(pods, { namespaces: 3, labelledEvery: 5 }));
  return startFleetSimulator({ fleet, ...options });
}

beforeAll(async () => {
  server = await startWithBigCluster({
    kubernetes: {
      now: () => NOW,
      forbidden: [
        { cluster: "shop-aks", resource: "mutatingwebhookconfigurations", verb: "list" },
        { cluster: "shop-aks", resource: "pods/log", namespace: "batch-jobs" },
      ],
    },
  });
  shopToken = tokenOf(server, "shop-aks");
  shop = kubeConfigFor(server, "shop-aks").makeApiClient(CoreV1Api);
});

afterAll(async () => {
  await server.close();
});

/** The simulator's kubeconfig for one cluster, loaded in memory. */
function kubeConfigFor(simulator: Simulator, cluster: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(simulator.kubeconfigFor(cluster));
  return kubeConfig;
}

function tokenOf(simulator: Simulator, cluster: string): string {
  const token = kubeConfigFor(simulator, cluster).getCurrentUser()?.token;
  if (!token) throw new Error(`no token for ${cluster}`);
  return token;
}

function rawRequest(simulator: Simulator, cluster: string, path: string, options: { token?: string; accept?: string } = {}): Promise<RawResponse> {
  return httpsRequest(simulator, `${simulator.kubernetesEndpoint}/clusters/${cluster}${path}`, {
    headers: {
      ...(options.token !== undefined && { authorization: `Bearer ${options.token}` }),
      ...(options.accept !== undefined && { accept: options.accept }),
    },
  });
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

async function failure(promise: Promise<unknown>): Promise<{ code: number; status: V1Status }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) {
      const body: unknown = error.body;
      return { code: error.code, status: (typeof body === "string" ? JSON.parse(body) : body) as V1Status };
    }
    throw error;
  }
  throw new Error("the request succeeded");
}

describe("discovery", () => {
  it("reports the cluster's Kubernetes version", async () => {
    const version = await kubeConfigFor(server, "shop-aks").makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe("v1.30.6");
  });

  it("lists the served core resources with their subresources", async () => {
    const resources = await shop.getAPIResources();
    const names = resources.resources.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["pods", "pods/log", "serviceaccounts", "serviceaccounts/token", "namespaces", "configmaps", "services"]));
  });

  it("lists the apps, batch, admissionregistration and rbac groups", async () => {
    const groups = (await rawRequest(server, "shop-aks", "/apis", { token: shopToken })).body as { groups: Array<{ name: string }> };
    expect(groups.groups.map((g) => g.name).sort()).toEqual(["admissionregistration.k8s.io", "apps", "batch", "rbac.authorization.k8s.io"]);
  });
});

describe("lists and gets", () => {
  it("lists pods across all namespaces in key order", async () => {
    const pods = await shop.listPodForAllNamespaces();
    expect(pods.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`)).toEqual([
      "batch-jobs/nightly-29412345-q7w8e",
      "kube-system/azure-wi-webhook-controller-manager-6c9f8d7b5-q1w2e",
      "shop/legacy-report-5f6d7c8b9-abcde",
      "shop/orders-7d9c8b6f5-k8s9p",
      "shop/orders-7d9c8b6f5-x2x4q",
      "shop/web-6b8f9c7d4-abcde",
    ]);
    expect(pods.metadata?.resourceVersion).toBe("95001");
  });

  it("lists the objects of one namespace only", async () => {
    const accounts = await shop.listNamespacedServiceAccount({ namespace: "shop" });
    expect(accounts.items.map((a) => a.metadata?.name)).toEqual(["default", "orders", "report"]);
  });

  it("gets one object and answers NotFound with a Status for a missing one", async () => {
    const account = await shop.readNamespacedServiceAccount({ namespace: "shop", name: "orders" });
    expect(account.metadata?.annotations?.["azure.workload.identity/client-id"]).toBe("5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
    const { code, status } = await failure(shop.readNamespacedServiceAccount({ namespace: "shop", name: "nope" }));
    expect(code).toBe(404);
    expect(status).toMatchObject({ kind: "Status", reason: "NotFound", message: 'serviceaccounts "nope" not found', code: 404 });
  });

  it("serves deployments from the apps group", async () => {
    const apps = kubeConfigFor(server, "shop-aks").makeApiClient(AppsV1Api);
    const deployments = await apps.listNamespacedDeployment({ namespace: "kube-system" });
    expect(deployments.items.map((d) => d.metadata?.name)).toEqual(["azure-wi-webhook-controller-manager"]);
  });

  it("pages a list with limit and continue, counting what remains", async () => {
    const big = kubeConfigFor(server, "big-aks").makeApiClient(CoreV1Api);
    const first = await big.listPodForAllNamespaces({ limit: 10 });
    expect(first.items).toHaveLength(10);
    expect(first.metadata?.remainingItemCount).toBe(15);
    const second = await big.listPodForAllNamespaces({ limit: 10, _continue: first.metadata?._continue });
    const third = await big.listPodForAllNamespaces({ limit: 10, _continue: second.metadata?._continue });
    expect(third.items).toHaveLength(5);
    expect(third.metadata?._continue).toBeUndefined();
    const names = [...first.items, ...second.items, ...third.items].map((p) => p.metadata?.name);
    expect(new Set(names).size).toBe(25);
  });
});

describe("selectors", () => {
  const names = async (labelSelector?: string, fieldSelector?: string) =>
    (await shop.listPodForAllNamespaces({ ...(labelSelector && { labelSelector }), ...(fieldSelector && { fieldSelector }) })).items.map((p) => p.metadata?.name);

  it("filters on label equality, inequality, existence and sets", async () => {
    expect(await names("azure.workload.identity/use=true")).toEqual(["orders-7d9c8b6f5-k8s9p", "orders-7d9c8b6f5-x2x4q"]);
    expect(await names("app!=orders,app")).toEqual(["legacy-report-5f6d7c8b9-abcde", "web-6b8f9c7d4-abcde"]);
    expect(await names("!app")).toEqual(["nightly-29412345-q7w8e", "azure-wi-webhook-controller-manager-6c9f8d7b5-q1w2e"]);
    expect(await names("app in (web, legacy-report)")).toEqual(["legacy-report-5f6d7c8b9-abcde", "web-6b8f9c7d4-abcde"]);
    expect(await names("app notin (web,orders),app")).toEqual(["legacy-report-5f6d7c8b9-abcde"]);
  });

  it("filters pods on their service account and on name and namespace", async () => {
    expect(await names(undefined, "spec.serviceAccountName=orders")).toEqual(["orders-7d9c8b6f5-k8s9p", "orders-7d9c8b6f5-x2x4q"]);
    expect(await names(undefined, "metadata.namespace=batch-jobs")).toEqual(["nightly-29412345-q7w8e"]);
    expect(await names(undefined, "metadata.name=web-6b8f9c7d4-abcde")).toEqual(["web-6b8f9c7d4-abcde"]);
  });

  it("refuses a field selector the resource does not support", async () => {
    const { code, status } = await failure(shop.listServiceAccountForAllNamespaces({ fieldSelector: "spec.serviceAccountName=orders" }));
    expect(code).toBe(400);
    expect(status.message).toBe("field label not supported: spec.serviceAccountName");
  });
});

describe("expired continue tokens", () => {
  it("expires a continue token older than its lifetime with 410 Expired", async () => {
    let now = NOW;
    const ttlServer = await startWithBigCluster({ kubernetes: { now: () => now, continueTokenTtlMs: 60_000 } }, 20);
    try {
      const big = kubeConfigFor(ttlServer, "big-aks").makeApiClient(CoreV1Api);
      const first = await big.listPodForAllNamespaces({ limit: 5 });
      now = new Date(NOW.getTime() + 61_000);
      const { code, status } = await failure(big.listPodForAllNamespaces({ limit: 5, _continue: first.metadata?._continue }));
      expect(code).toBe(410);
      expect(status).toMatchObject({ kind: "Status", reason: "Expired", code: 410 });
      expect(status.message).toContain("The provided continue parameter is too old");
    } finally {
      await ttlServer.close();
    }
  });

  it("expires as many continue tokens as the option asks for, after letting some through", async () => {
    const faultServer = await startWithBigCluster({ kubernetes: { expireContinue: [{ cluster: "big-aks", resource: "pods", after: 1, count: 1 }] } }, 20);
    try {
      const big = kubeConfigFor(faultServer, "big-aks").makeApiClient(CoreV1Api);
      const first = await big.listPodForAllNamespaces({ limit: 5 });
      const second = await big.listPodForAllNamespaces({ limit: 5, _continue: first.metadata?._continue });
      expect((await failure(big.listPodForAllNamespaces({ limit: 5, _continue: second.metadata?._continue }))).code).toBe(410);
      const retried = await big.listPodForAllNamespaces({ limit: 5, _continue: second.metadata?._continue });
      expect(retried.items).toHaveLength(5);
    } finally {
      await faultServer.close();
    }
  });
});

describe("the endless-continue fault", () => {
  it("gives the last page of a list a continue token back to the first page", async () => {
    const faultServer = await startWithBigCluster({ faults: { rules: [{ family: "kubernetes", cluster: "big-aks", path: "^/api/v1/pods", fault: "endless-continue" }] } }, 10);
    try {
      const big = kubeConfigFor(faultServer, "big-aks").makeApiClient(CoreV1Api);
      const first = await big.listPodForAllNamespaces({ limit: 6 });
      const last = await big.listPodForAllNamespaces({ limit: 6, _continue: first.metadata?._continue });
      expect(last.items).toHaveLength(4);
      const again = await big.listPodForAllNamespaces({ limit: 6, _continue: last.metadata?._continue });
      expect(again.items.map((pod) => pod.metadata?.name)).toEqual(first.items.map((pod) => pod.metadata?.name));
      // Other lists of the cluster end as usual.
      expect((await big.listServiceAccountForAllNamespaces()).metadata?._continue).toBeUndefined();
    } finally {
      await faultServer.close();
    }
  });
});

describe("authentication and authorization", () => {
  it("answers 401 Unauthorized without a token or with another cluster's token", async () => {
    const none = await rawRequest(server, "shop-aks", "/api/v1/pods");
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
    const other = await rawRequest(server, "shop-aks", "/api/v1/pods", { token: tokenOf(server, "big-aks") });
    expect(other.status).toBe(401);
  });

  it("accepts an Entra token for the AKS server application on an Entra cluster, and refuses the static token when local accounts are off", async () => {
    const entraToken = await accessToken(server, `${AKS_SERVER_APP_ID}/.default`);
    const ok = await rawRequest(server, "entra-aks", "/api/v1/namespaces/payments/serviceaccounts", { token: entraToken });
    expect(ok.status).toBe(200);
    expect((await rawRequest(server, "entra-aks", "/api/v1/pods", { token: shopToken })).status).toBe(401);
    const armToken = await accessToken(server);
    expect((await rawRequest(server, "entra-aks", "/api/v1/pods", { token: armToken })).status).toBe(401);
    expect((await rawRequest(server, "shop-aks", "/api/v1/pods", { token: entraToken })).status).toBe(401);
  });

  it("refuses a forbidden list at the cluster scope with the real API server's message", async () => {
    const response = await rawRequest(server, "shop-aks", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", { token: shopToken });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({
      kind: "Status",
      reason: "Forbidden",
      code: 403,
      details: { group: "admissionregistration.k8s.io", kind: "mutatingwebhookconfigurations" },
      message:
        'mutatingwebhookconfigurations.admissionregistration.k8s.io is forbidden: User "masterclient" cannot list resource "mutatingwebhookconfigurations" in API group "admissionregistration.k8s.io" at the cluster scope',
    });
  });

  it("refuses a forbidden subresource in one namespace only", async () => {
    const denied = await failure(shop.readNamespacedPodLog({ namespace: "batch-jobs", name: "nightly-29412345-q7w8e" }));
    expect(denied.code).toBe(403);
    expect(denied.status.message).toBe(
      'pods "nightly-29412345-q7w8e" is forbidden: User "masterclient" cannot get resource "pods/log" in API group "" in the namespace "batch-jobs"',
    );
    await expect(shop.readNamespacedPodLog({ namespace: "shop", name: "web-6b8f9c7d4-abcde" })).resolves.toBe("");
  });

  it("resets the connection of a cluster the fleet has no objects for", async () => {
    await expect(rawRequest(server, "no-such-aks", "/api/v1/pods", { token: shopToken })).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});

describe("pod logs", () => {
  it("serves a container's recent lines with timestamps, the last one just before now", async () => {
    const text = await shop.readNamespacedPodLog({ namespace: "shop", name: "orders-7d9c8b6f5-x2x4q", container: "orders", tailLines: 2, timestamps: true });
    expect(text).toBe(
      "2026-11-29T11:59:58.000000000Z error: AADSTS700016: Application with identifier '0c1f2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b' was not found in the directory.\n" +
        "2026-11-29T11:59:59.000000000Z info: listening on :8080\n",
    );
  });

  it("keeps only the lines within sinceSeconds", async () => {
    const text = await shop.readNamespacedPodLog({ namespace: "shop", name: "orders-7d9c8b6f5-x2x4q", container: "orders", sinceSeconds: 3 });
    expect(text.trim().split("\n")).toHaveLength(3);
  });

  it("asks for a container name when the pod has several", async () => {
    const { code, status } = await failure(shop.readNamespacedPodLog({ namespace: "shop", name: "orders-7d9c8b6f5-x2x4q" }));
    expect(code).toBe(400);
    expect(status.message).toBe("a container name must be specified for pod orders-7d9c8b6f5-x2x4q, choose one of: [orders istio-proxy]");
  });
});

describe("TokenRequest", () => {
  it("issues a service-account token from the cluster's OIDC issuer for the requested audience", async () => {
    const answer = await shop.createNamespacedServiceAccountToken({
      namespace: "shop",
      name: "orders",
      body: { spec: { audiences: ["api://AzureADTokenExchange"], expirationSeconds: 3600 } },
    });
    const token = answer.status?.token ?? "";
    expect(claimsOf(token)).toMatchObject({
      iss: "https://westeurope.oic.prod-aks.azure.com/72f988bf-86f1-41af-91ab-2d7cd011db47/5c0b6e0e-2f1f-4a3b-9a53-3c6f5b1e7d21/",
      sub: "system:serviceaccount:shop:orders",
      aud: ["api://AzureADTokenExchange"],
      exp: Math.floor(NOW.getTime() / 1000) + 3600,
    });
    expect(answer.status?.expirationTimestamp?.toISOString()).toBe("2026-11-29T13:00:00.000Z");
  });

  it("answers NotFound for a service account that does not exist", async () => {
    const { code, status } = await failure(
      shop.createNamespacedServiceAccountToken({ namespace: "shop", name: "ghost", body: { spec: { audiences: ["api://AzureADTokenExchange"] } } }),
    );
    expect(code).toBe(404);
    expect(status.message).toBe('serviceaccounts "ghost" not found');
  });
});

describe("kubectl tables", () => {
  it("answers a Table with kubectl's columns when asked for one", async () => {
    const response = await rawRequest(server, "shop-aks", "/api/v1/namespaces/shop/pods?limit=500", {
      token: shopToken,
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
    });
    const table = response.body as { kind: string; columnDefinitions: Array<{ name: string }>; rows: Array<{ cells: unknown[]; object: { metadata: { namespace: string } } }> };
    expect(table.kind).toBe("Table");
    expect(table.columnDefinitions.filter((_, i) => i < 5).map((c) => c.name)).toEqual(["Name", "Ready", "Status", "Restarts", "Age"]);
    expect(table.rows.find((row) => row.cells[0] === "legacy-report-5f6d7c8b9-abcde")?.cells.slice(1, 5)).toEqual(["0/1", "CrashLoopBackOff", 12, "7d4h"]);
    expect(table.rows[0]?.object.metadata.namespace).toBe("shop");
  });
});
