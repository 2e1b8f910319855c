/**
 * Private clusters through ARM run command: the production Container Service
 * client against the simulator's run command, whose cluster "inside" answers
 * `kubectl get ... -o json` from the fleet while its API server refuses every
 * connection from the scanner.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collectSnapshotThroughRunCommand,
  kubectlListCommand,
  RUN_COMMAND_LISTS,
  RUN_COMMAND_OUTPUT_LIMIT_BYTES,
  type ClusterSnapshot,
  type RunCommandSource,
} from "../../shared/cluster/index.js";
import { DEMO_RUN_COMMAND_SCOPES } from "../../shared/cli/demo.js";
import { createAzureScanDependencies, type AzureScanSettings } from "../../shared/engine/azure-dependencies.js";
import { scanFleet, type ScanOutcome } from "../../shared/engine/index.js";
import type { Finding } from "../../shared/findings/index.js";
import { collectInventory } from "../../shared/inventory/index.js";
import type { KubeObject } from "../../simulator/fleet/model.js";
import { generateFleet } from "../../simulator/generator/index.js";
import { runShell } from "../../simulator/kubernetes/shell.js";
import { loadFleet, type FaultsConfig, type FleetDescription, type Simulator } from "../../simulator/index.js";
import { clientsFor, MINI_FLEET_DIR, startFleetSimulator } from "../support/simulator.js";

const DEMO_DIR = fileURLToPath(new URL("../fleets/demo", import.meta.url));
/** Staging has a bit of everything, AADSTS codes in its logs included; here it is made private. */
const PRIVATE = "payments-staging";
const UNREACHABLE: FaultsConfig = { rules: [{ family: "kubernetes", cluster: PRIVATE, fault: "unreachable" }] };

async function privateDemoFleet(): Promise<FleetDescription> {
  const fleet = await loadFleet(DEMO_DIR);
  const cluster = fleet.azure.managedClusters.find((c) => c.name === PRIVATE)!;
  cluster.properties = { ...cluster.properties, apiServerAccessProfile: { enablePrivateCluster: true, privateDNSZone: "system" } };
  return fleet;
}

interface Scan {
  outcome: ScanOutcome;
  snapshots: ClusterSnapshot[];
}

async function scan(sim: Simulator, cluster: string, settings: AzureScanSettings = {}): Promise<Scan> {
  const deps = createAzureScanDependencies(clientsFor(sim), settings);
  const snapshots: ClusterSnapshot[] = [];
  const outcome = await scanFleet(
    {
      ...deps,
      // Only to look at what the checks were given.
      snapshot: async (c) => {
        const snapshot = await deps.snapshot(c);
        snapshots.push(snapshot);
        return snapshot;
      },
    },
    { scope: { subscriptions: [], managementGroups: [], clusters: [cluster] }, concurrency: 2, trigger: "demo" },
  );
  return { outcome, snapshots };
}

const clusterFindings = (outcome: ScanOutcome, cluster: string): Finding[] =>
  outcome.findings.filter((f) => f.resource.cluster === cluster).sort((a, b) => a.id.localeCompare(b.id));

/**
 * What the checks read of a snapshot: everything but how and when it was
 * collected. The simulator dates log lines back from "now", so the last time
 * a code was seen moves between two scans; that it is known is compared.
 */
function contents(snapshot: ClusterSnapshot) {
  const { accessPath: _a, collectedAt: _c, stats: _s, errors: _e, logEvidence, ...rest } = snapshot;
  return { ...rest, logEvidence: logEvidence.map(({ lastSeen, ...evidence }) => ({ ...evidence, lastSeen: lastSeen !== undefined })) };
}

function withoutLastSeen(findings: readonly Finding[]) {
  return findings.map((f) => ({ ...f, evidence: { ...f.evidence, ...(f.evidence.lastSeen !== undefined && { lastSeen: "known" }) } }));
}

let reachable: Simulator;
let unreachable: Simulator;
let direct: Scan;
const privateCluster = () => direct.outcome.inventory.clusters.find((c) => c.name === PRIVATE)!;
let throughRunCommand: Scan;

beforeAll(async () => {
  const fleet = await privateDemoFleet();
  // The direct path from inside the private clusters' networks, as a scanner with VNet integration reads them.
  reachable = await startFleetSimulator({ fleet, faults: {}, reachesPrivateClusters: true });
  unreachable = await startFleetSimulator({ fleet, faults: UNREACHABLE });
  direct = await scan(reachable, PRIVATE);
  const subscription = direct.outcome.inventory.clusters.find((c) => c.name === PRIVATE)!.subscriptionId;
  throughRunCommand = await scan(unreachable, PRIVATE, { runCommandScopes: [subscription] });
}, 120_000);

afterAll(async () => {
  await reachable?.close();
  await unreachable?.close();
});

describe("a private cluster the scanner cannot reach, with run command allowed", () => {
  it("is scanned through run command, and the scan health says so", () => {
    const [health] = throughRunCommand.outcome.scan.clusters;
    expect(health).toMatchObject({ cluster: PRIVATE, status: "ok", accessPath: "run-command" });
    expect(direct.outcome.scan.clusters[0]).toMatchObject({ cluster: PRIVATE, status: "ok", accessPath: "direct" });
  });

  it("gives the same snapshot as the direct path, log evidence included", () => {
    const [viaRunCommand] = throughRunCommand.snapshots;
    const [viaApiServer] = direct.snapshots;
    expect(viaRunCommand!.errors).toEqual([]);
    expect(viaRunCommand!.logEvidence.length).toBeGreaterThan(0);
    expect(contents(viaRunCommand!)).toEqual(contents(viaApiServer!));
    expect(viaRunCommand!.stats.podsSeen).toBe(viaApiServer!.stats.podsSeen);
  });

  it("gets the same findings as the direct path", () => {
    const viaRunCommand = clusterFindings(throughRunCommand.outcome, PRIVATE);
    expect(viaRunCommand.length).toBeGreaterThan(5);
    expect(withoutLastSeen(viaRunCommand)).toEqual(withoutLastSeen(clusterFindings(direct.outcome, PRIVATE)));
    expect(viaRunCommand.map((f) => f.checkId)).not.toContain("scan.cluster-unreachable");
  });
});

describe("the demo's private cluster payments-core, a few hundred pods", () => {
  const DEMO_PRIVATE = "payments-core";

  it("refuses the scanner's connection by itself and, with run command allowed, gives the same findings as its API server read from inside its network", async () => {
    const viaApiServer = await scan(reachable, DEMO_PRIVATE);
    const refused = await scan(unreachable, DEMO_PRIVATE);
    const viaRunCommand = await scan(unreachable, DEMO_PRIVATE, { runCommandScopes: DEMO_RUN_COMMAND_SCOPES });

    expect(refused.outcome.scan.clusters[0]).toMatchObject({ accessPath: "none", status: "unreachable" });
    expect(clusterFindings(refused.outcome, DEMO_PRIVATE).map((f) => f.checkId)).toEqual(["scan.cluster-unreachable"]);
    expect(viaApiServer.outcome.scan.clusters[0]).toMatchObject({ accessPath: "direct", status: "ok" });
    expect(viaRunCommand.outcome.scan.clusters[0]).toMatchObject({ accessPath: "run-command", status: "ok", podsSeen: viaApiServer.snapshots[0]!.stats.podsSeen });
    expect(viaRunCommand.snapshots[0]!.stats.podsSeen).toBeGreaterThan(250);
    expect(viaRunCommand.snapshots[0]!.errors).toEqual([]);
    expect(contents(viaRunCommand.snapshots[0]!)).toEqual(contents(viaApiServer.snapshots[0]!));
    const findings = clusterFindings(viaRunCommand.outcome, DEMO_PRIVATE);
    expect(findings.map((f) => f.checkId).sort()).toEqual(["pod.aadsts-errors", "pod.client-id-overridden", "sa.no-matching-fic"]);
    expect(withoutLastSeen(findings)).toEqual(withoutLastSeen(clusterFindings(viaApiServer.outcome, DEMO_PRIVATE)));
  }, 60_000);
});

describe("the fleet simulator's controllers, which make payments-core's pods from its workloads", () => {
  const objectsOf = () => reachable.fleet.clusters.get("payments-core")!;
  const env = (pod: KubeObject, container: string) =>
    Object.fromEntries(((pod.spec as { containers: Array<{ name: string; env?: Array<{ name: string; value?: string }> }> }).containers.find((c) => c.name === container)?.env ?? []).map((e) => [e.name, e.value]));

  it("names and labels pods as kube-controller-manager does, and injects what the webhook injects, keeping a variable set by hand", () => {
    const objects = objectsOf();
    const replicaSet = objects.find((o) => o.kind === "ReplicaSet" && o.metadata.name.startsWith("ledger-api-"))!;
    const hash = replicaSet.metadata.labels!["pod-template-hash"]!;
    expect(replicaSet.metadata.name).toBe(`ledger-api-${hash}`);
    expect(replicaSet.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Deployment", name: "ledger-api", controller: true })]);
    const pods = objects.filter((o) => o.kind === "Pod" && (o.metadata.ownerReferences as Array<{ name: string }> | undefined)?.[0]?.name === replicaSet.metadata.name);
    expect(pods).toHaveLength(24);
    for (const pod of pods) {
      expect(pod.metadata.name).toMatch(new RegExp(`^ledger-api-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(pod.metadata).toMatchObject({ generateName: `ledger-api-${hash}-`, labels: { "pod-template-hash": hash, "azure.workload.identity/use": "true" } });
      expect(env(pod, "api")).toMatchObject({ AZURE_CLIENT_ID: "0fe1de95-04c6-4d2a-a7fa-71d4db56ecab", AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/wi/token/azure-identity-token" });
    }
    expect(new Set(pods.map((pod) => pod.metadata.name)).size).toBe(24);
    expect(objects.filter((o) => o.kind === "Pod" && o.metadata.name.startsWith("prometheus-")).map((o) => o.metadata.name).sort()).toEqual(["prometheus-0", "prometheus-1"]);
    const scorer = objects.find((o) => o.kind === "Pod" && o.metadata.name.startsWith("fraud-scorer-"))!;
    // The webhook never overwrites a variable that is set: the hand-set id-ledger stays.
    expect(env(scorer, "scorer").AZURE_CLIENT_ID).toBe("0fe1de95-04c6-4d2a-a7fa-71d4db56ecab");
    expect(objects.filter((o) => o.kind === "Pod").length).toBe(291);
  });

  it("refuses a replica count that is not a whole number up to 5,000, naming the file and the workload", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wiscan-controllers-"));
    try {
      mkdirSync(join(dir, "clusters"));
      writeFileSync(join(dir, "azure.json"), readFileSync(join(MINI_FLEET_DIR, "azure.json")));
      const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "api", namespace: "payments" }, spec: { replicas: 10_000_000, template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", image: "api:1" }] } } } };
      writeFileSync(join(dir, "clusters", "payments-aks.yaml"), `fleetSimulator:\n  runControllers: true\n---\n${JSON.stringify(deployment)}\n`);
      await expect(loadFleet(dir)).rejects.toThrow(/clusters\/payments-aks\.yaml: Deployment payments\/api: spec\.replicas: .*0 to 5000/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a cluster that is neither reachable nor allowed for run command", () => {
  it("gets scan.cluster-unreachable naming both ways to reach it", async () => {
    const { outcome } = await scan(unreachable, PRIVATE, { runCommandScopes: ["/subscriptions/00000000-0000-0000-0000-000000000000"] });
    expect(outcome.scan.clusters[0]).toMatchObject({ accessPath: "none", status: "unreachable" });
    const finding = outcome.findings.find((f) => f.checkId === "scan.cluster-unreachable");
    expect(finding?.resource.name).toBe(PRIVATE);
    expect(finding?.evidence.firstFailure).toMatch(/namespaces/);
    expect(finding?.remediation.text).toMatch(/VNet integration/);
    expect(finding?.remediation.text).toMatch(/RUN_COMMAND_SCOPES/);
  });

  it("keeps both paths' failures when run command is refused too", async () => {
    const refusing = await startFleetSimulator({
      fleet: await privateDemoFleet(),
      faults: { rules: [...(UNREACHABLE.rules ?? []), { family: "arm", cluster: PRIVATE, method: "POST", path: "/runCommand", fault: "forbidden" }] },
    });
    try {
      const { outcome, snapshots } = await scan(refusing, PRIVATE, { runCommandScopes: [privateCluster().id.toUpperCase()] });
      expect(snapshots[0]!.accessPath).toBe("none");
      expect(snapshots[0]!.errors.map((e) => `${e.kind} ${e.verb} ${e.resource}`)).toEqual([
        "unreachable list namespaces",
        "forbidden action Microsoft.ContainerService/managedClusters/runCommand",
      ]);
      expect(outcome.findings.map((f) => f.checkId)).toContain("scan.cluster-unreachable");
      expect(outcome.findings.filter((f) => f.checkId === "scan.forbidden").map((f) => f.resource.name)).toContain("Microsoft.ContainerService/managedClusters/runCommand/action");
    } finally {
      await refusing.close();
    }
  });
});

describe("the simulated run command", () => {
  it("runs the commands the collector sends through the real jq and refuses any other with exit code 1", async () => {
    const clients = clientsFor(unreachable);
    const cluster = privateCluster();
    const token = await clients.credential.getToken("6dae42f8-4368-4678-94ff-3960e28e3630/.default");
    const run = (command: string) =>
      clients.containerService(cluster.subscriptionId).managedClusters.beginRunCommandAndWait(cluster.resourceGroup, cluster.name, { command, clusterToken: token!.token });

    for (const resources of RUN_COMMAND_LISTS) {
      const result = await run(kubectlListCommand(resources));
      expect(result).toMatchObject({ provisioningState: "Succeeded", exitCode: 0 });
      const lines = (result.logs ?? "").trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.at(-1)).toEqual({ "wiscan-list-end": lines.length - 1 });
    }
    const refused = await run("kubectl delete namespace payments");
    expect(refused).toMatchObject({ provisioningState: "Succeeded", exitCode: 1 });
    expect(refused.logs).toMatch(/^error: /);
    // A pipeline ends with jq's status: kubectl's failure shows only in the output, which has no trailer.
    const failedList = await run("kubectl get widgets -A -o json | jq -c '.items[]'");
    expect(failedList).toMatchObject({ exitCode: 0, logs: 'error: the server doesn\'t have a resource type "widgets"\n' });
    const badFilter = await run("kubectl get pods -A -o json | jq -c '.items[] | {'");
    expect(badFilter).toMatchObject({ exitCode: 3, logs: expect.stringMatching(/compile error/) });
    const withoutToken = await clients.containerService(cluster.subscriptionId).managedClusters.beginRunCommandAndWait(cluster.resourceGroup, cluster.name, { command: kubectlListCommand(["pods"]) });
    expect(withoutToken).toMatchObject({ exitCode: 1, logs: expect.stringMatching(/Unauthorized/) });
  });
});

/** Two simulators of one fleet for a describe block: its cluster unreachable (read through run command), and reachable (read directly). */
function simulatorsBothWays(fleet: FleetDescription, cluster: string): { runCommand: Simulator; direct: Simulator } {
  const sims = {} as { runCommand: Simulator; direct: Simulator };
  beforeAll(async () => {
    sims.runCommand = await startFleetSimulator({ fleet, faults: { rules: [{ family: "kubernetes", cluster, fault: "unreachable" }] } });
    sims.direct = await startFleetSimulator({ fleet, faults: {} });
  }, 60_000);
  afterAll(async () => {
    await sims.runCommand?.close();
    await sims.direct?.close();
  });
  return sims;
}

describe("a private cluster of real size through run command", () => {
  /** 1,500 pods: `kubectl get pods -A -o json` is megabytes, the projection pages by namespace. */
  const fleet = generateFleet({ clusters: 1, podsPerCluster: 1500, serviceAccountsPerCluster: 120, misconfigurationRate: 1, seed: 3 });
  const name = fleet.azure.managedClusters[0]!.name;
  const subscription = fleet.azure.subscriptions[0]!.subscriptionId;
  const sims = simulatorsBothWays(fleet, name);

  it("cuts a plain kubectl get at 512 KiB, as AKS does", async () => {
    const clients = clientsFor(sims.runCommand);
    const cluster = fleet.azure.managedClusters[0]!;
    const token = await clients.credential.getToken("6dae42f8-4368-4678-94ff-3960e28e3630/.default");
    const resourceGroup = cluster.id.split("/")[4]!;
    const result = await clients
      .containerService(subscription)
      .managedClusters.beginRunCommandAndWait(resourceGroup, name, { command: "kubectl get pods -A -o json", clusterToken: token!.token });
    expect(Buffer.byteLength(result.logs ?? "")).toBe(RUN_COMMAND_OUTPUT_LIMIT_BYTES);
  });

  it("gives the same snapshot and findings as its API server", async () => {
    const viaApiServer = await scan(sims.direct, name);
    const viaRunCommand = await scan(sims.runCommand, name, { runCommandScopes: [subscription] });
    const [snapshot] = viaRunCommand.snapshots;
    expect(snapshot!.accessPath).toBe("run-command");
    expect(snapshot!.errors).toEqual([]);
    expect(snapshot!.stats.podsSeen).toBe(1500);
    expect(viaApiServer.snapshots[0]!.stats.podsSeen).toBe(1500);
    expect(contents(snapshot!)).toEqual(contents(viaApiServer.snapshots[0]!));
    // More commands than the three lists: the pods were read a few namespaces at a time.
    expect(snapshot!.stats.requests).toBeGreaterThan(4);
    const findings = clusterFindings(viaRunCommand.outcome, name);
    expect(findings.length).toBeGreaterThan(0);
    expect(withoutLastSeen(findings)).toEqual(withoutLastSeen(clusterFindings(viaApiServer.outcome, name)));
  }, 60_000);
});

describe("a namespace too large for one command even projected", () => {
  /** 400 pods; one namespace gets 200 of them with 3 kB of labels each (the projection keeps labels): 600 kB, more than a command may print. */
  const fleet = generateFleet({ clusters: 1, podsPerCluster: 400, seed: 5 });
  const name = fleet.azure.managedClusters[0]!.name;
  const subscription = fleet.azure.subscriptions[0]!.subscriptionId;
  const objects = fleet.clusters.get(name)!;
  const crowded = objects.find((o) => o.kind === "Namespace" && o.metadata.name !== "kube-system" && o.metadata.labels?.team !== undefined)!.metadata.name;
  const labels = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`example.com/tag-${i}`, "v".repeat(60)]));
  const crowdedPods = objects.filter((o) => o.kind === "Pod" && o.metadata.namespace === crowded);
  const template = crowdedPods[0]!;
  for (let i = crowdedPods.length; i < 200; i++) objects.push({ ...template, metadata: { ...template.metadata, name: `filler-${i}`, uid: `filler-${i}` } });
  for (const pod of objects.filter((o) => o.kind === "Pod" && o.metadata.namespace === crowded)) pod.metadata = { ...pod.metadata, labels: { ...pod.metadata.labels, ...labels(40) } };
  const sims = simulatorsBothWays(fleet, name);

  it("is read by name, a batch of pods at a time, and gives the same snapshot and findings as its API server", async () => {
    const viaApiServer = await scan(sims.direct, name);
    const viaRunCommand = await scan(sims.runCommand, name, { runCommandScopes: [subscription] });
    const [snapshot] = viaRunCommand.snapshots;
    expect(snapshot!.errors).toEqual([]);
    // Only pods that touch workload identity are kept: as many as the direct path keeps.
    expect(snapshot!.pods.filter((pod) => pod.namespace === crowded).length).toBeGreaterThan(100);
    expect(contents(snapshot!)).toEqual(contents(viaApiServer.snapshots[0]!));
    expect(withoutLastSeen(clusterFindings(viaRunCommand.outcome, name))).toEqual(withoutLastSeen(clusterFindings(viaApiServer.outcome, name)));
    expect(viaRunCommand.outcome.scan.clusters[0]!.coverage?.checks.find((c) => c.checkId === "pod.not-mutated")).toMatchObject({ state: "complete" });
  }, 60_000);

  it("keeps as a gap only a pod too large alone, and takes a pod deleted between the two reads as gone, as kubectl reports it", async () => {
    const pods = sims.runCommand.fleet.clusters.get(name)!;
    const huge = { ...template, metadata: { ...template.metadata, name: "huge-0", uid: "huge-0", labels: { ...template.metadata.labels, ...labels(6000) } } };
    pods.push(huge);
    const doomed = pods.find((o) => o.kind === "Pod" && o.metadata.namespace === crowded && o.metadata.name.startsWith("filler-"))!;
    const cluster = (await collectInventory(clientsFor(sims.runCommand))).clusters.find((c) => c.name === name)!;
    const client = clientsFor(sims.runCommand).containerService(subscription);
    const commands: string[] = [];
    // The real client; between the sizes of the crowded namespace's pods and their reads by name, a pod is deleted.
    const source: RunCommandSource = {
      managedClusters: {
        beginRunCommandAndWait: async (...args: Parameters<typeof client.managedClusters.beginRunCommandAndWait>) => {
          const result = await client.managedClusters.beginRunCommandAndWait(...args);
          commands.push(args[2].command);
          if (args[2].command.startsWith(`kubectl get pods -n ${crowded} -o json`)) pods.splice(pods.indexOf(doomed), 1);
          return result;
        },
      },
    };
    try {
      const snapshot = await collectSnapshotThroughRunCommand(cluster, { containerService: source, credential: clientsFor(sims.runCommand).credential });
      expect(snapshot.errors).toEqual([
        expect.objectContaining({ kind: "error", resource: "pods", verb: "list", namespace: crowded, message: expect.stringMatching(/512 KiB limit and was cut: pods huge-0 in namespace .* alone takes \d+ kB/) }),
      ]);
      const read = snapshot.pods.filter((pod) => pod.namespace === crowded).map((pod) => pod.name);
      expect(read.length).toBeGreaterThan(100);
      expect(read).toContain(pods.find((o) => o.metadata.namespace === crowded && o.metadata.name.startsWith("filler-") && o !== doomed)!.metadata.name);
      expect(read).not.toContain("huge-0");
      expect(read).not.toContain(doomed.metadata.name);
      const byName = commands.filter((command) => command.startsWith(`kubectl get pods -n ${crowded} `) && command.includes(" filler-"));
      expect(byName.length).toBeGreaterThan(1);
      expect(byName.every((command) => command.length < 20_000)).toBe(true);
    } finally {
      pods.splice(pods.indexOf(huge), 1);
      pods.push(doomed);
    }
  }, 60_000);
});

describe("the simulated kubectl get, by name", () => {
  const inside = { objects: [] as KubeObject[], logOf: () => undefined };
  const pod = (n: string): KubeObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name: n, namespace: "shop" } });
  inside.objects.push(pod("api-1"), pod("api-2"));

  it("prints the found pods and NotFound for the others on stderr, with exit status 1, and one name alone as the object itself", async () => {
    const several = await runShell(inside, "kubectl get pods -n shop api-1 gone api-2 -o json | jq -c '[.kind, [.items[].metadata.name]]'");
    expect(several).toEqual({ exitCode: 0, logs: 'Error from server (NotFound): pods "gone" not found\n["List",["api-1","api-2"]]\n' });
    expect(await runShell(inside, "kubectl get pods -n shop api-2 -o json | jq -c '.metadata.name'")).toEqual({ exitCode: 0, logs: '"api-2"\n' });
    expect(await runShell(inside, "kubectl get pods -n shop gone -o json")).toEqual({ exitCode: 1, logs: 'Error from server (NotFound): pods "gone" not found\n' });
    expect((await runShell(inside, "kubectl get pods -A api-1 -o json")).logs).toMatch(/^error: a resource cannot be retrieved by name across all namespaces/);
  });
});
