/**
 * The demo: the fleet simulator started in this process with the demo fleet
 * (or --fleet DIR), and Azure clients pointed at it. Loaded only for --demo,
 * so that the production path never imports the simulator.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { resolve, join } from "node:path";
import type { AzureClients } from "../azure/index.js";
import type { ScanOutcome } from "../engine/index.js";
import { toScanReport } from "../report/index.js";
import { CliError, EXIT } from "./exit-codes.js";
import { TOOL_VERSION } from "./version.js";

export interface Demo {
  fleetDir: string;
  /** RUN_COMMAND_SCOPES of the demo's scanner when the environment sets none (see DEMO_RUN_COMMAND_SCOPES). */
  runCommandScopes: readonly string[];
  clusterCount: number;
  armEndpoint: string;
  /** The simulator's Entra endpoint, where the live probe exchanges tokens. */
  authorityHost: string;
  clients: AzureClients;
  outputPath(name: string): string;
  writeReport(path: string, outcome: ScanOutcome): Promise<void>;
  close(): Promise<void>;
}

/**
 * The demo's scanner stands outside every VNet, as a Function App without
 * VNet integration does, and may use run command on payments-core, the demo
 * fleet's private cluster with a few hundred pods: so `wiscan scan --demo`
 * reads it through ARM run command (docs/private-clusters.md). Only for the
 * built-in demo fleet, and only when RUN_COMMAND_SCOPES is not set; data-ingest,
 * the other private cluster, disables run command and stays unreachable.
 */
export const DEMO_RUN_COMMAND_SCOPES: readonly string[] = [
  "/subscriptions/d1c2a081-a471-42e1-853b-539d0f923d78/resourcegroups/rg-payments-core/providers/Microsoft.ContainerService/managedClusters/payments-core",
];

/** Where the demo writes its files: out/demo under the working directory (git-ignored). */
export const DEMO_OUTPUT_DIR = "out/demo";

export async function startDemo(fleetDir: string | undefined): Promise<Demo> {
  const simulator = await import("../../simulator/index.js");
  const { createSimulatorClients } = await import("../../simulator/clients.js");
  const { demoFleetDir } = await import("../../simulator/demo-fleet.js");
  const builtIn = resolve(demoFleetDir());
  const dir = resolve(fleetDir ?? builtIn);
  let fleet;
  try {
    fleet = await simulator.loadFleet(dir);
  } catch (error) {
    if (error instanceof simulator.FleetValidationError) throw new CliError(EXIT.usage, error.message);
    throw error;
  }
  const outDir = resolve(DEMO_OUTPUT_DIR);
  await mkdir(outDir, { recursive: true });
  const sim = await simulator.startSimulator({ fleet, outDir });
  return {
    fleetDir: dir,
    runCommandScopes: dir === builtIn ? DEMO_RUN_COMMAND_SCOPES : [],
    clusterCount: fleet.azure.managedClusters.length,
    armEndpoint: sim.armEndpoint,
    authorityHost: sim.authorityHost,
    clients: createSimulatorClients(sim),
    outputPath: (name) => join(outDir, name),
    async writeReport(path, outcome) {
      await writeFile(path, JSON.stringify(toScanReport(outcome.scan, outcome.findings, TOOL_VERSION), null, 2) + "\n", "utf8");
    },
    close: () => sim.close(),
  };
}
