#!/usr/bin/env node
/**
 * `npm run sim [-- --fleet DIR --port N --latency-ms N --out DIR]`: runs the
 * fleet simulator standalone until Ctrl-C, printing its endpoints, the CA
 * file and a kubeconfig with a context per simulated cluster.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { FleetValidationError, loadFleet, startSimulator } from "./index.js";
import { demoFleetDir } from "./demo-fleet.js";

function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError("must be a non-negative integer");
  return parsed;
}

const program = new Command()
  .name("wiscan-sim")
  .description("Fleet simulator: Azure Resource Graph, ARM, Microsoft Graph, Entra ID and one Kubernetes API server per cluster, on loopback HTTPS")
  .option("--fleet <dir>", "fleet description directory (docs/fleet-format.md)", demoFleetDir())
  .option("--port <n>", "port of the Azure endpoints (default: any free port)", integer)
  .option("--kubernetes-port <n>", "port of the Kubernetes API servers (default: any free port)", integer)
  .option("--latency-ms <n>", "latency added to every request", integer)
  .option("--out <dir>", "where the CA file, kubeconfig and connection file are written (default: a new temporary directory)")
  .option("--page-size <n>", "Resource Graph rows per page (Azure's is 1000)", integer);

async function main(): Promise<void> {
  const options = program.parse().opts<{ fleet: string; port?: number; kubernetesPort?: number; latencyMs?: number; out?: string; pageSize?: number }>();
  const outDir = options.out ? resolve(options.out) : await mkdtemp(join(tmpdir(), "wiscan-sim-"));
  await mkdir(outDir, { recursive: true });

  const fleet = await loadFleet(resolve(options.fleet));
  const sim = await startSimulator({
    fleet,
    outDir,
    ...(options.port !== undefined && { port: options.port }),
    ...(options.kubernetesPort !== undefined && { kubernetesPort: options.kubernetesPort }),
    ...(options.latencyMs !== undefined && { latencyMs: options.latencyMs }),
    ...(options.pageSize !== undefined && { resourceGraphPageSize: options.pageSize }),
  });
  const kubeconfig = join(outDir, "kubeconfig");
  await sim.writeKubeconfig(kubeconfig);
  // What another process needs to connect (simulator/clients.ts reads this shape).
  const connectionFile = join(outDir, "simulator.json");
  await writeFile(
    connectionFile,
    JSON.stringify({ armEndpoint: sim.armEndpoint, graphEndpoint: sim.graphEndpoint, authorityHost: sim.authorityHost, tenantId: sim.tenantId, caFile: sim.caFile, scanner: sim.scanner }, null, 2),
    { mode: 0o600 },
  );

  const first = fleet.azure.managedClusters[0]?.name ?? "<cluster>";
  const lines = [
    `Fleet simulator running (fleet: ${fleet.source}, ${fleet.azure.managedClusters.length} clusters, ${fleet.azure.subscriptions.length} subscriptions)`,
    ``,
    `  ARM / Resource Graph  ${sim.armEndpoint}`,
    `  Microsoft Graph       ${sim.graphEndpoint}/v1.0`,
    `  Entra authority host  ${sim.authorityHost}   (tenant ${sim.tenantId})`,
    `  Kubernetes            ${sim.kubernetesEndpoint}/clusters/<name>`,
    `  CA file               ${sim.caFile}`,
    `  kubeconfig            ${kubeconfig}`,
    `  connection file       ${connectionFile}   (scanner client id ${sim.scanner.clientId})`,
    ``,
    `Try:`,
    `  kubectl --kubeconfig ${kubeconfig} --context ${first} get sa,pods -A`,
    ``,
    `Ctrl-C to stop.`,
  ];
  process.stdout.write(lines.join("\n") + "\n");

  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  if (error instanceof FleetValidationError) process.stderr.write(error.message + "\n");
  else process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
