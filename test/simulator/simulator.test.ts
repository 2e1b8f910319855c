import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Simulator } from "../../simulator/index.js";
import { accessToken, clientsFor, httpsRequest, startFleetSimulator } from "../support/simulator.js";

const SUB_A = "6b0b5a4e-1c2d-4e3f-8a9b-0c1d2e3f4a01";
const AKS_SCOPE = "6dae42f8-4368-4678-94ff-3960e28e3630/.default";

interface Kubeconfig {
  clusters: Array<{ name: string; cluster: { server: string; "certificate-authority-data": string } }>;
  users: Array<{ name: string; user: { token?: string; exec?: { command: string; args: string[] } } }>;
}

async function userCredential(sim: Simulator, resourceGroup: string, cluster: string): Promise<string> {
  const result = await clientsFor(sim).containerService(SUB_A).managedClusters.listClusterUserCredentials(resourceGroup, cluster);
  expect(result.kubeconfigs?.[0]?.name).toBe("clusterUser");
  return Buffer.from(result.kubeconfigs?.[0]?.value ?? new Uint8Array()).toString("utf8");
}

/** client-node on a cluster-user kubeconfig, the exec user replaced by a token as the scanner does. */
function coreApi(kubeconfig: string, token?: string): CoreV1Api {
  const config = new KubeConfig();
  if (token) {
    const parsed = parse(kubeconfig) as Kubeconfig;
    for (const user of parsed.users) user.user = { token };
    config.loadFromString(JSON.stringify(parsed));
  } else {
    config.loadFromString(kubeconfig);
  }
  return config.makeApiClient(CoreV1Api);
}

describe("the simulated ARM", () => {
  let sim: Simulator;
  beforeAll(async () => {
    // checkout-aks is private: these cases stand inside its network, as a scanner with VNet integration does.
    sim = await startFleetSimulator({ armPageSize: 2, reachesPrivateClusters: true });
  });
  afterAll(() => sim.close());

  it("lists managed clusters across pages and gets one as the file describes it", async () => {
    const client = clientsFor(sim).containerService(SUB_A);
    const names: string[] = [];
    for await (const cluster of client.managedClusters.list()) names.push(cluster.name ?? "");
    expect(names).toEqual(["payments-aks", "checkout-aks", "orders-aks"]);
    const cluster = await client.managedClusters.get("payments-rg", "payments-aks");
    expect(cluster.oidcIssuerProfile?.issuerURL).toBe("https://westeurope.oic.prod-aks.azure.com/3f2a1b6c-9d8e-4f70-a1b2-c3d4e5f60718/8a7c1e2f-3b4d-4c5e-9f60-718293a4b5c6/");
    expect(cluster.fqdn).toBe("payments-aks-dns-1a2b3c4d.hcp.westeurope.azmk8s.io");
  });

  it("answers a missing cluster with ARM's ResourceNotFound", async () => {
    const client = clientsFor(sim).containerService(SUB_A);
    await expect(client.managedClusters.get("payments-rg", "nope-aks")).rejects.toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
  });

  it("refuses an api-version the SDKs do not send, in ARM's error shape", async () => {
    const token = await accessToken(sim);
    const response = await httpsRequest(sim, `${sim.armEndpoint}/subscriptions/${SUB_A}/providers/Microsoft.ContainerService/managedClusters?api-version=2019-01-01`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: "NoRegisteredProviderFound", message: expect.stringContaining("2026-04-01") } });
  });

  it("refuses a route it does not serve", async () => {
    const token = await accessToken(sim);
    const response = await httpsRequest(sim, `${sim.armEndpoint}/subscriptions/${SUB_A}/providers/Microsoft.Compute/virtualMachines?api-version=2024-07-01`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: { code: "InvalidResourceType" } });
  });

  it("gives a cluster-user credential with a static token that client-node can use", async () => {
    const kubeconfig = await userCredential(sim, "payments-rg", "payments-aks");
    const parsed = parse(kubeconfig) as Kubeconfig;
    expect(parsed.clusters[0]?.cluster.server).toBe(`${sim.kubernetesEndpoint}/clusters/payments-aks`);
    expect(Buffer.from(parsed.clusters[0]?.cluster["certificate-authority-data"] ?? "", "base64").toString()).toBe(sim.caPem);
    const pods = await coreApi(kubeconfig).listPodForAllNamespaces();
    expect(pods.items.map((p) => p.metadata?.name)).toEqual(["api-7d9f8c6b5-x2k4q"]);
  });

  it("gives an Entra cluster the kubelogin exec user that AKS returns, and accepts an Entra token for the AKS server app", async () => {
    const kubeconfig = await userCredential(sim, "payments-rg", "checkout-aks");
    const user = (parse(kubeconfig) as Kubeconfig).users[0]?.user;
    expect(user?.token).toBeUndefined();
    expect(user?.exec).toMatchObject({ command: "kubelogin", args: expect.arrayContaining(["get-token", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"]) });

    const token = await clientsFor(sim).credential.getToken(AKS_SCOPE);
    const serviceAccounts = await coreApi(kubeconfig, token?.token).listServiceAccountForAllNamespaces();
    expect(serviceAccounts.items.map((s) => s.metadata?.name)).toEqual(["web"]);
  });

  it("points a cluster without a file at an address that refuses connections", async () => {
    const kubeconfig = await userCredential(sim, "payments-rg", "orders-aks");
    await expect(coreApi(kubeconfig).listNamespace()).rejects.toThrow(/ECONNREFUSED/);
  });

  it("lists role assignments for a scope", async () => {
    const token = await accessToken(sim);
    const response = await httpsRequest(
      sim,
      `${sim.armEndpoint}/subscriptions/${SUB_A}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=${encodeURIComponent("principalId eq 'a1b2c3d4-0001-4e5f-8a9b-111111111111'")}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(response.status).toBe(200);
    expect((response.body as { value: Array<{ name: string }> }).value.map((a) => a.name)).toEqual(["0d1e2f3a-0001-4b5c-8d9e-0f1a2b3c4d5e"]);
  });
});

describe("the simulated Microsoft Graph", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startFleetSimulator();
  });
  afterAll(() => sim.close());

  it("finds an application by appId, by filter and by alternate key", async () => {
    const { graph } = clientsFor(sim);
    const filtered: Array<{ displayName: string }> = [];
    for await (const app of graph.list<{ displayName: string }>(`/v1.0/applications?$filter=${encodeURIComponent("appId eq 'b16b00b5-0001-4c3d-8e9f-aaaaaaaaaaaa'")}`)) filtered.push(app);
    expect(filtered.map((a) => a.displayName)).toEqual(["legacy-batch"]);
    const byKey = await graph.get<{ id: string; federatedIdentityCredentials?: unknown }>("/v1.0/applications(appId='b16b00b5-0001-4c3d-8e9f-aaaaaaaaaaaa')");
    expect(byKey.id).toBe("e7d6c5b4-0001-4a3b-9c8d-aaaaaaaaaaaa");
    expect(byKey.federatedIdentityCredentials).toBeUndefined();
    const sp = await graph.get<{ id: string }>("/v1.0/servicePrincipals(appId='b16b00b5-0001-4c3d-8e9f-aaaaaaaaaaaa')");
    expect(sp.id).toBe("5e5e5e5e-0001-4a3b-9c8d-aaaaaaaaaaaa");
  });

  it("answers an unknown application with Graph's Request_ResourceNotFound", async () => {
    await expect(clientsFor(sim).graph.get("/v1.0/applications(appId='00000000-0000-4000-8000-000000000000')")).rejects.toMatchObject({
      status: 404,
      code: "Request_ResourceNotFound",
    });
  });

  it("refuses a filter it does not implement", async () => {
    await expect(clientsFor(sim).graph.get(`/v1.0/applications?$filter=${encodeURIComponent("startswith(displayName,'a')")}`)).rejects.toMatchObject({
      status: 400,
      code: "Request_UnsupportedQuery",
    });
  });
});

describe("injected faults on the wire", () => {
  it("fails a request with 503 and lets the SDK's retry succeed", async () => {
    const sim = await startFleetSimulator({ faults: { rules: [{ family: "arm", path: "managedClusters/payments-aks\\?", fault: "status", status: 503, retryAfterSeconds: 0, count: 1 }] } });
    try {
      const cluster = await clientsFor(sim).containerService(SUB_A).managedClusters.get("payments-rg", "payments-aks");
      expect(cluster.name).toBe("payments-aks");
      expect(sim.requestCounts().arm).toBe(2);
    } finally {
      await sim.close();
    }
  });

  it("forbids one cluster's credential while others stay readable", async () => {
    const sim = await startFleetSimulator({ faults: { rules: [{ family: "arm", cluster: "checkout-aks", fault: "forbidden" }] } });
    try {
      const client = clientsFor(sim).containerService(SUB_A);
      await expect(client.managedClusters.listClusterUserCredentials("payments-rg", "checkout-aks")).rejects.toMatchObject({ statusCode: 403, code: "AuthorizationFailed" });
      await expect(client.managedClusters.listClusterUserCredentials("payments-rg", "payments-aks")).resolves.toBeDefined();
    } finally {
      await sim.close();
    }
  });

  it("resets the connection", async () => {
    const sim = await startFleetSimulator({ faults: { rules: [{ family: "graph", fault: "reset" }] } });
    try {
      const token = await accessToken(sim, "https://graph.microsoft.com/.default");
      await expect(httpsRequest(sim, `${sim.graphEndpoint}/v1.0/applications`, { headers: { authorization: `Bearer ${token}` } })).rejects.toMatchObject({
        code: expect.stringMatching(/ECONNRESET|EPIPE/),
      });
    } finally {
      await sim.close();
    }
  });

  it("makes a cluster with a file unreachable and another forbidden, per cluster", async () => {
    const sim = await startFleetSimulator({
      faults: {
        rules: [
          { family: "kubernetes", cluster: "payments-aks", fault: "unreachable" },
          { family: "kubernetes", cluster: "platform-aks", path: "/pods", fault: "forbidden" },
        ],
      },
    });
    try {
      const unreachable = await userCredential(sim, "payments-rg", "payments-aks");
      await expect(coreApi(unreachable).listNamespace()).rejects.toThrow(/ECONNREFUSED/);

      const platform = coreApi(sim.kubeconfigFor("platform-aks"));
      await expect(platform.listPodForAllNamespaces()).rejects.toMatchObject({ code: 403 });
      const namespaces = await platform.listNamespace();
      expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(["batch"]);
    } finally {
      await sim.close();
    }
  });

  it("throttles Kubernetes requests with 429 and Retry-After", async () => {
    const sim = await startFleetSimulator({ faults: { rules: [{ family: "kubernetes", cluster: "sandbox-aks", fault: "status", status: 429, retryAfterSeconds: 2 }] } });
    try {
      const config = parse(sim.kubeconfigFor("sandbox-aks")) as Kubeconfig;
      const response = await httpsRequest(sim, `${config.clusters[0]?.cluster.server}/api/v1/namespaces`, { headers: { authorization: `Bearer ${config.users[0]?.user.token}` } });
      expect(response.status).toBe(429);
      expect(response.headers["retry-after"]).toBe("2");
      expect(response.body).toMatchObject({ kind: "Status", reason: "TooManyRequests", code: 429 });
      expect(sim.requestCounts().kubernetes).toBe(1);
    } finally {
      await sim.close();
    }
  });
});
