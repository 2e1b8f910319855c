/**
 * The benchmark's simulator process: generates a fleet from the parent's
 * spec, serves it, and answers with how to connect, what the fleet holds and
 * one cluster's response bodies (the parse-rate sample). It lives in its own
 * process so that the scanner's time and memory are the scanner's alone.
 */
import { request } from "node:https";
import { parse as parseYaml } from "yaml";
import { generateFleetWithAnswers } from "../simulator/generator/index.js";
import { startSimulator, type Simulator } from "../simulator/index.js";
import type { FleetDescription } from "../simulator/fleet/model.js";
import type { FleetFacts, FleetSpec, ParentToSimulatorMessage, ParseSample, SimulatorChildMessage } from "./protocol.js";

/** The lists the collector reads, as paths under a cluster's API server. */
export const SAMPLE_LISTS = [
  "/api/v1/namespaces",
  "/api/v1/serviceaccounts",
  "/api/v1/pods",
  "/apis/apps/v1/deployments",
  "/apis/apps/v1/statefulsets",
  "/apis/apps/v1/daemonsets",
  "/apis/apps/v1/replicasets",
  "/apis/batch/v1/jobs",
  "/apis/batch/v1/cronjobs",
  "/api/v1/services",
  "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
] as const;

let simulator: Simulator | undefined;

process.on("message", (message: ParentToSimulatorMessage) => {
  if (message.type === "start") {
    start(message.spec).then(send, (error: unknown) => send({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
  } else {
    const cpu = process.cpuUsage();
    send({ type: "closed", cpuMs: (cpu.user + cpu.system) / 1000, requests: simulator?.requestCounts() ?? {} });
    void (simulator?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  }
});

function send(message: SimulatorChildMessage): void {
  process.send?.(message);
}

async function start(spec: FleetSpec): Promise<SimulatorChildMessage> {
  const started = performance.now();
  const { fleet, injected } = generateFleetWithAnswers({
    clusters: spec.giantClusterPods !== undefined ? 0 : spec.clusters,
    subscriptions: spec.subscriptions,
    seed: spec.seed,
    ...(spec.serviceAccountsPerCluster !== undefined && { serviceAccountsPerCluster: spec.serviceAccountsPerCluster }),
    ...(spec.giantClusterPods !== undefined && { giantClusterPods: spec.giantClusterPods }),
  });
  const generateMs = performance.now() - started;
  simulator = await startSimulator({ fleet, latencyMs: spec.latencyMs, faults: spec.faults, skipValidation: true });
  const sampleCluster = fleet.azure.managedClusters[0]?.name;
  const samples = sampleCluster !== undefined ? await clusterBodies(simulator, sampleCluster) : [];
  const { armEndpoint, graphEndpoint, authorityHost, caPem, tenantId, scanner, kubernetesEndpoint } = simulator;
  return {
    type: "ready",
    connection: { armEndpoint, graphEndpoint, authorityHost, caPem, tenantId, scanner },
    kubernetesEndpoint,
    facts: { ...fleetFacts(fleet, spec.pageSize), injectedMisconfigurations: injected.length },
    samples,
    generateMs,
    rssBytes: process.memoryUsage().rss,
  };
}

function fleetFacts(fleet: FleetDescription, pageSize: number): Omit<FleetFacts, "injectedMisconfigurations"> {
  let serviceAccounts = 0;
  let pods = 0;
  let podPages = 0;
  for (const objects of fleet.clusters.values()) {
    let clusterPods = 0;
    for (const object of objects) {
      if (object.kind === "ServiceAccount") serviceAccounts += 1;
      else if (object.kind === "Pod") clusterPods += 1;
    }
    pods += clusterPods;
    podPages += Math.max(1, Math.ceil(clusterPods / pageSize));
  }
  return {
    clusters: fleet.azure.managedClusters.length,
    subscriptions: fleet.azure.subscriptions.length,
    identities: fleet.azure.userAssignedIdentities.length,
    federatedCredentials: Object.values(fleet.azure.federatedIdentityCredentials).reduce((sum, list) => sum + list.length, 0),
    roleAssignments: fleet.azure.roleAssignments.length,
    serviceAccounts,
    pods,
    podPages,
  };
}

/** Every page of every list of one cluster, read with the kubeconfig the simulator hands kubectl. */
async function clusterBodies(sim: Simulator, cluster: string): Promise<ParseSample[]> {
  const kubeconfig = parseYaml(sim.kubeconfigFor(cluster)) as {
    clusters: Array<{ cluster: { server: string } }>;
    users: Array<{ user: { token?: string } }>;
  };
  const server = kubeconfig.clusters[0]?.cluster.server ?? "";
  const token = kubeconfig.users[0]?.user.token ?? "";
  const samples: ParseSample[] = [];
  for (const list of SAMPLE_LISTS) {
    let continueToken: string | undefined;
    do {
      const path = `${list}?limit=500${continueToken ? `&continue=${encodeURIComponent(continueToken)}` : ""}`;
      const body = await get(sim.caPem, `${server}${path}`, token);
      samples.push({ path, body });
      continueToken = (JSON.parse(body) as { metadata?: { continue?: string } }).metadata?.continue || undefined;
    } while (continueToken);
  }
  return samples;
}

function get(ca: string, url: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}`, accept: "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString("utf8")) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
