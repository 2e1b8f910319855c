/**
 * Run command as AKS runs it (issue 17 point 3): each container's log read
 * stands alone, a cluster with disableRunCommand is said to refuse it rather
 * than failing, the POST that starts a command pod is never retried, and
 * clusterToken goes only to managed Entra clusters, as `az aks command invoke`
 * sends it. The production collector and Container Service client against
 * the fleet simulator.
 */
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  collectSnapshotThroughRunCommand,
  kubectlLogsCommand,
  LOG_READ_FAILED_MARKER,
  parseLogOutput,
  RUN_COMMAND_DISABLED_MESSAGE,
  type RunCommandSource,
} from "../../shared/cluster/run-command.js";
import { collectInventory, type AksCluster } from "../../shared/inventory/index.js";
import type { KubeObject } from "../../simulator/fleet/model.js";
import { loadFleet, type FaultsConfig, type FleetDescription, type Simulator } from "../../simulator/index.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";

const DEMO_DIR = fileURLToPath(new URL("../fleets/demo", import.meta.url));
const PRIVATE = "payments-staging";
const UNREACHABLE: FaultsConfig = { rules: [{ family: "kubernetes", cluster: PRIVATE, fault: "unreachable" }] };
/** The container of the demo fleet whose logs carry AADSTS codes. */
const EVIDENCE = { namespace: "payments", container: "api" };
const GONE = "zz-gone-worker";

async function demoFleet(edit: (fleet: FleetDescription) => void = () => {}): Promise<FleetDescription> {
  const fleet = await loadFleet(DEMO_DIR);
  edit(fleet);
  return fleet;
}

async function clusterOf(sim: Simulator): Promise<AksCluster> {
  const inventory = await collectInventory(clientsFor(sim));
  return inventory.clusters.find((c) => c.name === PRIVATE)!;
}

const evidencePod = (fleet: FleetDescription): KubeObject =>
  fleet.clusters.get(PRIVATE)!.find((o) => o.kind === "Pod" && o.metadata.namespace === EVIDENCE.namespace && o.metadata.name.startsWith("payments-api-"))!;

/** Records the request bodies of the run-command POSTs as they leave the SDK's pipeline. */
function recordRunCommandBodies(source: RunCommandSource & { pipeline: NonNullable<RunCommandSource["pipeline"]> }): string[] {
  const bodies: string[] = [];
  const policy: PipelinePolicy = {
    name: "testRecordRunCommandBodies",
    sendRequest: (request, next) => {
      if (request.method === "POST" && /\/runCommand$/i.test(new URL(request.url).pathname)) bodies.push(String(request.body ?? ""));
      return next(request);
    },
  };
  source.pipeline.addPolicy(policy);
  return bodies;
}

describe("log reads through run command", () => {
  let sim: Simulator;
  let fleet: FleetDescription;
  beforeAll(async () => {
    fleet = await demoFleet((f) => {
      // A second labelled pod in the evidence namespace, sorting after the evidence pod: its read comes last.
      const pod = structuredClone(evidencePod(f));
      pod.metadata = { ...pod.metadata, name: GONE, ownerReferences: [] };
      f.clusters.get(PRIVATE)!.push(pod);
    });
    sim = await startFleetSimulator({ fleet, faults: UNREACHABLE });
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
  });

  it("answers each read on its own: a failed one prints kubectl's error and the marker, the others keep their lines", async () => {
    const cluster = await clusterOf(sim);
    const clients = clientsFor(sim);
    const token = await clients.credential.getToken("6dae42f8-4368-4678-94ff-3960e28e3630/.default");
    const pod = evidencePod(fleet).metadata.name;
    const limits = { tailLines: 200, sinceSeconds: 86_400, limitBytes: 65_536 };
    const reads = [
      kubectlLogsCommand(EVIDENCE.namespace, pod, EVIDENCE.container, limits),
      kubectlLogsCommand(EVIDENCE.namespace, "no-such-pod", "api", limits),
    ];
    const run = (command: string) =>
      clients.containerService(cluster.subscriptionId).managedClusters.beginRunCommandAndWait(cluster.resourceGroup, cluster.name, { command, clusterToken: token!.token });

    const result = await run(reads.join(" ; "));
    expect(result).toMatchObject({ provisioningState: "Succeeded", exitCode: 0 });
    expect(result.logs).toContain('Error from server (NotFound): pods "no-such-pod" not found');
    const { text, failed } = parseLogOutput(result.logs ?? "");
    expect([...failed]).toEqual(["no-such-pod/api"]);
    expect(text.get(`${pod}/${EVIDENCE.container}`)?.join("\n")).toMatch(/AADSTS\d+/);

    // Without the marker, the shell's `a ; b` ends with b's status: the whole command "fails".
    const bare = await run(reads.map((r) => r.split(" || ")[0]).join(" ; "));
    expect(bare).toMatchObject({ provisioningState: "Succeeded", exitCode: 1 });
    expect(bare.logs).toContain(`[pod/${pod}/${EVIDENCE.container}]`);
    expect(LOG_READ_FAILED_MARKER).not.toBe("");
  });

  it("keeps a namespace's AADSTS evidence when the last container read fails (the pod is gone by then)", async () => {
    const cluster = await clusterOf(sim);
    const client = clientsFor(sim).containerService(cluster.subscriptionId);
    const logCommands: string[] = [];
    const source: RunCommandSource = {
      pipeline: client.pipeline,
      managedClusters: {
        beginRunCommandAndWait: (resourceGroup, name, request, options) => {
          if (request.command.startsWith("kubectl logs")) {
            logCommands.push(request.command);
            // The pod is deleted between the list and the log read, as on a busy cluster.
            const objects = fleet.clusters.get(PRIVATE)!;
            const index = objects.findIndex((o) => o.kind === "Pod" && o.metadata.name === GONE);
            if (index >= 0) objects.splice(index, 1);
          }
          return client.managedClusters.beginRunCommandAndWait(resourceGroup, name, request, options);
        },
      },
    };
    const snapshot = await collectSnapshotThroughRunCommand(cluster, { containerService: source, credential: clientsFor(sim).credential }, { pollIntervalMs: 10 });

    const payments = logCommands.find((c) => c.includes(`-n ${EVIDENCE.namespace} `))!;
    expect(payments.trim().endsWith(`pod/${GONE}/${EVIDENCE.container}`)).toBe(true);
    expect(snapshot.accessPath).toBe("run-command");
    expect(snapshot.errors).toEqual([]);
    const evidence = snapshot.logEvidence.filter((e) => e.namespace === EVIDENCE.namespace);
    expect(evidence.length).toBeGreaterThan(0);
    expect(evidence.every((e) => e.container === EVIDENCE.container && e.pod !== GONE)).toBe(true);
  });
});

describe("a cluster with apiServerAccessProfile.disableRunCommand", () => {
  let sim: Simulator;
  beforeAll(async () => {
    const fleet = await demoFleet((f) => {
      const cluster = f.azure.managedClusters.find((c) => c.name === PRIVATE)!;
      cluster.properties = { ...cluster.properties, apiServerAccessProfile: { enablePrivateCluster: true, disableRunCommand: true } };
    });
    sim = await startFleetSimulator({ fleet, faults: UNREACHABLE });
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
  });

  it("is read into the inventory", async () => {
    const cluster = await clusterOf(sim);
    expect(cluster.runCommandDisabled).toBe(true);
    const inventory = await collectInventory(clientsFor(sim));
    // data-ingest disables run command in the demo fleet itself.
    expect(inventory.clusters.filter((c) => c.runCommandDisabled === true).map((c) => c.name)).toEqual(["data-ingest", PRIVATE]);
  });

  it("is refused by the simulator as AKS refuses it", async () => {
    const cluster = await clusterOf(sim);
    const clients = clientsFor(sim);
    await expect(
      clients.containerService(cluster.subscriptionId).managedClusters.beginRunCommandAndWait(cluster.resourceGroup, cluster.name, { command: "kubectl get pods -A -o json" }),
    ).rejects.toMatchObject({ statusCode: 400, code: "RunCommandDisabled" });
  });

  it("gets a collection error saying run command is disabled, without sending a command", async () => {
    const cluster = await clusterOf(sim);
    const client = clientsFor(sim).containerService(cluster.subscriptionId);
    const bodies = recordRunCommandBodies(client);
    const snapshot = await collectSnapshotThroughRunCommand(cluster, { containerService: client, credential: clientsFor(sim).credential });
    expect(bodies).toEqual([]);
    expect(snapshot.accessPath).toBe("none");
    expect(snapshot.errors).toEqual([
      expect.objectContaining({ kind: "error", resource: "Microsoft.ContainerService/managedClusters/runCommand", verb: "action", message: RUN_COMMAND_DISABLED_MESSAGE }),
    ]);
    expect(snapshot.errors[0]!.message).toMatch(/disableRunCommand/);
  });
});

describe("the run-command POST", () => {
  it("is sent once, never retried, when AKS answers 500 (a retry would start a second command pod)", async () => {
    const sim = await startFleetSimulator({
      fleet: await demoFleet(),
      faults: { rules: [...(UNREACHABLE.rules ?? []), { family: "arm", cluster: PRIVATE, method: "POST", path: "/runCommand", fault: "status", status: 500 }] },
    });
    try {
      const cluster = await clusterOf(sim);
      const clients = clientsFor(sim, { maxRetries: 2 });
      const snapshot = await collectSnapshotThroughRunCommand(cluster, { containerService: clients.containerService(cluster.subscriptionId), credential: clients.credential });
      expect(snapshot.accessPath).toBe("none");
      // Three lists, three POSTs: with the SDK's retries there would be nine.
      expect(sim.faultCounts()["arm status 500"]).toBe(3);
    } finally {
      await sim.close();
    }
  });
});

describe("clusterToken", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startFleetSimulator({ fleet: await demoFleet(), faults: UNREACHABLE });
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
  });

  const sent = async (cluster: AksCluster): Promise<Array<{ command: string; clusterToken?: string }>> => {
    const clients = clientsFor(sim);
    const client = clients.containerService(cluster.subscriptionId);
    const bodies = recordRunCommandBodies(client);
    await collectSnapshotThroughRunCommand(cluster, { containerService: client, credential: clients.credential }, { logTailLines: 0 });
    return bodies.map((b) => JSON.parse(b) as { command: string; clusterToken?: string });
  };

  it("goes with every command to a managed Entra cluster", async () => {
    const cluster = await clusterOf(sim);
    expect(cluster.aad?.managed).toBe(true);
    const bodies = await sent(cluster);
    // Three lists, and the ClusterRoles and their bindings: some of its pods opt in to identity binding.
    expect(bodies).toHaveLength(4);
    for (const body of bodies) expect(body.clusterToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]*$/);
  });

  it("is not sent to a cluster without managed Entra integration, local accounts disabled or not (as az aks command invoke)", async () => {
    const cluster = await clusterOf(sim);
    const { aad: _aad, ...withoutAad } = cluster;
    for (const variant of [{ ...withoutAad, localAccountsDisabled: true }, { ...cluster, aad: { managed: false, azureRbac: false } }]) {
      const bodies = await sent(variant);
      expect(bodies).toHaveLength(3);
      for (const body of bodies) expect(body).not.toHaveProperty("clusterToken");
    }
  });
});
