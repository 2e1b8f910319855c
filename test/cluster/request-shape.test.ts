/**
 * What a scan asks of each API server, on the benchmark's kind of cluster
 * (the simulator's generator: ~150 pods, 10 of them on workload identity in
 * two Deployments): the request shape that docs/benchmarks.md measures at
 * 5,000 clusters, held here for every change.
 */
import { afterAll, describe, expect, it } from "vitest";
import { collectClusterSnapshot, resolveClusterAccess, type ClusterSnapshot } from "../../shared/cluster/index.js";
import { collectInventory } from "../../shared/inventory/index.js";
import { generateFleet } from "../../simulator/generator/index.js";
import type { Simulator } from "../../simulator/index.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";

const simulators: Simulator[] = [];
afterAll(async () => {
  await Promise.all(simulators.map((sim) => sim.close()));
});

async function snapshotsOf(serviceAccountsPerCluster: number): Promise<ClusterSnapshot[]> {
  const fleet = generateFleet({ clusters: 3, subscriptions: 1, serviceAccountsPerCluster, podsPerCluster: 150, workloadIdentityPodsPerCluster: 10, identitiesPerCluster: 2, misconfigurationRate: 0, seed: 3 });
  const sim = await startFleetSimulator({ fleet });
  simulators.push(sim);
  const clients = clientsFor(sim);
  const inventory = await collectInventory(clients);
  return Promise.all(
    inventory.clusters.map(async (cluster) => {
      const access = await resolveClusterAccess(cluster, { containerService: clients.containerService(cluster.subscriptionId), credential: clients.credential });
      if (!access.ok) throw new Error(access.error.message);
      return collectClusterSnapshot(cluster, access.access);
    }),
  );
}

describe("the requests a cluster scan makes", () => {
  it("do not grow with the service accounts, read pods in one page and logs once per container of one pod per owner", async () => {
    const [few, many] = await Promise.all([snapshotsOf(30), snapshotsOf(120)]);
    for (const snapshot of [...few!, ...many!]) {
      const labelled = snapshot.pods.filter((p) => p.labels["azure.workload.identity/use"] === "true");
      const containersByOwner = new Map(labelled.map((p) => [`${p.namespace}/${p.owner?.kind}/${p.owner?.name ?? p.name}`, p.containers.length]));
      const owners = new Set(containersByOwner.keys());
      expect(snapshot.errors).toEqual([]);
      expect(owners.size).toBeGreaterThan(0);
      expect(snapshot.stats.podsSeen).toBeGreaterThanOrEqual(150);
      expect(snapshot.stats.podPages).toBe(1);
      // 11 lists (namespaces, service accounts, pods, 6 kinds of workload, services, webhook configurations) and one log read per container of one pod per owner (the app and its log forwarder).
      const logReads = [...containersByOwner.values()].reduce((sum, containers) => sum + containers, 0);
      expect(logReads).toBe(2 * owners.size);
      expect(snapshot.stats.requests).toBe(11 + logReads);
    }
    expect(many!.map((s) => s.stats.requests)).toEqual(few!.map((s) => s.stats.requests));
  });
});
