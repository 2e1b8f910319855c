import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadFleet } from "../../simulator/fleet/load.js";
import type { KubeObject } from "../../simulator/fleet/model.js";
import { MISCONFIGURATIONS, generateFleet, generateFleetWithAnswers, writeFleet } from "../../simulator/generator/index.js";

const kinds = (objects: KubeObject[] | undefined, kind: string) => (objects ?? []).filter((o) => o.kind === kind);
type Container = { env?: Array<{ name: string; value: string }> };
type PodSpec = { containers: Container[]; volumes: Array<{ projected?: { sources: Array<{ serviceAccountToken?: { audience?: string } }> } }> };

describe("generateFleet", () => {
  it("produces the requested numbers of clusters, subscriptions, identities, service accounts and pods", () => {
    const fleet = generateFleet({ clusters: 7, subscriptions: 3, serviceAccountsPerCluster: 12, podsPerCluster: 40, workloadIdentityPodsPerCluster: 6, identitiesPerCluster: 3, misconfigurationRate: 0, seed: 11 });

    expect(fleet.azure.managedClusters).toHaveLength(7);
    expect(fleet.azure.subscriptions).toHaveLength(3);
    expect(fleet.azure.userAssignedIdentities).toHaveLength(21);
    expect(fleet.clusters.size).toBe(7);
    for (const [, objects] of fleet.clusters) {
      expect(kinds(objects, "Pod")).toHaveLength(40);
      const appAccounts = kinds(objects, "ServiceAccount").filter((sa) => sa.metadata.name !== "default" && sa.metadata.namespace !== "kube-system");
      expect(appAccounts).toHaveLength(12);
      const wiPods = kinds(objects, "Pod").filter((p) => p.metadata.labels?.["azure.workload.identity/use"] === "true");
      expect(wiPods).toHaveLength(6);
    }
  });

  it("gives the same fleet for the same seed and a different one for another seed", () => {
    const options = { clusters: 5, podsPerCluster: 30, misconfigurationRate: 0.5 };
    const a = generateFleet({ ...options, seed: 42 });
    const b = generateFleet({ ...options, seed: 42 });
    const c = generateFleet({ ...options, seed: 43 });
    const serialise = (f: typeof a) => JSON.stringify({ azure: f.azure, clusters: [...f.clusters] });

    expect(serialise(a)).toBe(serialise(b));
    expect(serialise(a)).not.toBe(serialise(c));
  });

  it("injects what the webhook injects into labelled pods, and federates each identity with its service account", () => {
    const fleet = generateFleet({ clusters: 1, misconfigurationRate: 0, seed: 3 });
    const cluster = fleet.azure.managedClusters[0]!;
    const issuer = (cluster.properties as { oidcIssuerProfile: { issuerURL: string } }).oidcIssuerProfile.issuerURL;
    const objects = fleet.clusters.get(cluster.name)!;
    const wiPods = kinds(objects, "Pod").filter((p) => p.metadata.labels?.["azure.workload.identity/use"] === "true");
    expect(wiPods.length).toBeGreaterThan(0);

    for (const pod of wiPods) {
      const spec = pod.spec as PodSpec;
      const env = Object.fromEntries((spec.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
      expect(env.AZURE_AUTHORITY_HOST).toBe("https://login.microsoftonline.com/");
      expect(env.AZURE_TENANT_ID).toBe(fleet.azure.tenantId);
      expect(env.AZURE_FEDERATED_TOKEN_FILE).toBe("/var/run/secrets/azure/wi/token/azure-identity-token");
      const audiences = spec.volumes.flatMap((v) => v.projected?.sources ?? []).map((s) => s.serviceAccountToken?.audience);
      expect(audiences).toContain("api://AzureADTokenExchange");

      const account = kinds(objects, "ServiceAccount").find((sa) => sa.metadata.namespace === pod.metadata.namespace && sa.metadata.name === (pod.spec as { serviceAccountName: string }).serviceAccountName);
      const clientId = account?.metadata.annotations?.["azure.workload.identity/client-id"];
      expect(env.AZURE_CLIENT_ID).toBe(clientId);
      const identity = fleet.azure.userAssignedIdentities.find((i) => (i.properties as { clientId: string }).clientId === clientId)!;
      const credentials = fleet.azure.federatedIdentityCredentials[identity.id] ?? [];
      expect(credentials.map((c) => c.properties)).toContainEqual({
        audiences: ["api://AzureADTokenExchange"],
        issuer,
        subject: `system:serviceaccount:${pod.metadata.namespace}:${account?.metadata.name}`,
      });
    }
  });

  it("plants misconfigurations in about the requested share of clusters and says where", () => {
    const { fleet, injected } = generateFleetWithAnswers({ clusters: 200, podsPerCluster: 20, misconfigurationRate: 0.25, seed: 5 });

    const misconfigured = new Set(injected.map((i) => i.cluster));
    expect(misconfigured.size).toBeGreaterThan(30);
    expect(misconfigured.size).toBeLessThan(70);
    expect(new Set(injected.map((i) => i.misconfiguration))).toEqual(new Set(MISCONFIGURATIONS));
    for (const planted of injected) expect(fleet.clusters.has(planted.cluster)).toBe(true);
  });

  it("plants an issuer without its trailing slash where it says it did", () => {
    const { fleet, injected } = generateFleetWithAnswers({ clusters: 200, podsPerCluster: 20, misconfigurationRate: 0.5, seed: 9 });
    const planted = injected.find((i) => i.misconfiguration === "issuer-trailing-slash")!;
    const cluster = fleet.azure.managedClusters.find((c) => c.name === planted.cluster)!;
    const issuer = (cluster.properties as { oidcIssuerProfile: { issuerURL: string } }).oidcIssuerProfile.issuerURL;
    const subject = `system:serviceaccount:${planted.namespace}:${planted.name}`;
    const credentials = Object.values(fleet.azure.federatedIdentityCredentials).flat().filter((c) => (c.properties as { subject: string }).subject === subject && c.name.startsWith(`${planted.cluster}-`));

    expect(planted.checkId).toBe("fic.issuer-mismatch");
    expect(credentials.map((c) => (c.properties as { issuer: string }).issuer)).toEqual([issuer.slice(0, -1)]);
  });

  it("adds one giant cluster with the requested number of pods", () => {
    const fleet = generateFleet({ clusters: 2, podsPerCluster: 20, giantClusterPods: 5000, seed: 1 });

    expect(fleet.azure.managedClusters.map((c) => c.name)).toContain("aks-giant");
    expect(kinds(fleet.clusters.get("aks-giant"), "Pod")).toHaveLength(5000);
  });

  // Generous timeout: this machine runs many test suites at once; the point is that it completes in bounded memory.
  it("generates 5,000 clusters of 150 pods", { timeout: 300_000 }, () => {
    const fleet = generateFleet({ clusters: 5000, podsPerCluster: 150, seed: 2 });

    expect(fleet.clusters.size).toBe(5000);
    let pods = 0;
    for (const [, objects] of fleet.clusters) pods += kinds(objects, "Pod").length;
    expect(pods).toBe(750_000);
  });
});

describe("writeFleet", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("writes a fleet directory that loadFleet reads back unchanged", async () => {
    const fleet = generateFleet({ clusters: 3, podsPerCluster: 25, misconfigurationRate: 1, seed: 8 });
    const dir = await mkdtemp(join(tmpdir(), "wiscan-fleet-"));
    dirs.push(dir);

    await writeFleet(fleet, dir);
    const loaded = await loadFleet(dir);

    expect((await readdir(join(dir, "clusters"))).sort()).toEqual([...fleet.clusters.keys()].map((n) => `${n}.yaml`).sort());
    expect(loaded.azure).toEqual(fleet.azure);
    expect([...loaded.clusters.keys()].sort()).toEqual([...fleet.clusters.keys()].sort());
    for (const [name, objects] of fleet.clusters) expect(loaded.clusters.get(name)).toEqual(JSON.parse(JSON.stringify(objects)));
  });

  it("writes Kubernetes objects the way kubectl prints them: no anchors, timestamps quoted, keys sorted", async () => {
    const fleet = generateFleet({ clusters: 1, podsPerCluster: 12, seed: 4 });
    const dir = await mkdtemp(join(tmpdir(), "wiscan-fleet-"));
    dirs.push(dir);

    await writeFleet(fleet, dir);
    const text = await readFile(join(dir, "clusters", "aks-0001.yaml"), "utf8");

    expect(text).not.toMatch(/[&*]a\d+/);
    expect(text).toMatch(/creationTimestamp: "2025-06-01T09:00:00Z"/);
    const pod = parseAllDocuments(text).map((d) => d.toJS() as KubeObject).find((o) => o.kind === "Pod")!;
    expect(Object.keys(pod)).toEqual(["apiVersion", "kind", "metadata", "spec", "status"]);
  });
});
