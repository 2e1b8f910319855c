/**
 * The benchmark's scanner process: one scan of the fleet the simulator child
 * serves, with the real engine and the real SDK clients, measured from the
 * inside (requests by kind, peak RSS, CPU). A fresh process per scan makes
 * the peak RSS that scan's own.
 */
import { scanFleet } from "../shared/engine/index.js";
import { createAzureScanDependencies } from "../shared/engine/azure-dependencies.js";
import { createSimulatorClients } from "../simulator/clients.js";
import { limitHeapGrowth } from "../shared/cli/heap.js";
import { startRequestTally } from "./request-tally.js";
import type { ScanJob, ScanMeasurement, ScannerChildMessage } from "./protocol.js";

// The scanner process runs as the CLI does.
limitHeapGrowth();

process.once("message", (job: ScanJob) => {
  scan(job).then(
    (measurement) => finish({ type: "done", measurement }),
    (error: unknown) => finish({ type: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});

function finish(message: ScannerChildMessage): void {
  process.send?.(message, () => process.exit(0));
}

async function scan(job: ScanJob): Promise<ScanMeasurement> {
  const tally = startRequestTally(new URL(job.kubernetesEndpoint).host);
  // maxRSS is the kernel's peak for the whole process; sampling too catches a peak the kernel rounds.
  let sampledPeak = 0;
  let peakHeapUsed = 0;
  let peakExternal = 0;
  const sampler = setInterval(() => {
    const memory = process.memoryUsage();
    sampledPeak = Math.max(sampledPeak, memory.rss);
    peakHeapUsed = Math.max(peakHeapUsed, memory.heapUsed);
    peakExternal = Math.max(peakExternal, memory.external + memory.arrayBuffers);
  }, 50);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let inventoryMs = 0;
  let inventoryCpuMs = 0;

  const clients = createSimulatorClients(job.connection);
  const azure = createAzureScanDependencies(clients, {
    inventoryConcurrency: job.inventoryConcurrency,
    collect: { concurrency: job.kubernetesConcurrency, pageSize: job.pageSize },
  });
  const dependencies = {
    ...azure,
    inventory: async (scope: Parameters<typeof azure.inventory>[0]) => {
      const inventory = await azure.inventory(scope);
      inventoryMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      inventoryCpuMs = (cpu.user + cpu.system) / 1000;
      return inventory;
    },
  };
  const outcome = await scanFleet(dependencies, {
    scope: { subscriptions: [], managementGroups: [], clusters: [] },
    concurrency: job.concurrency,
    trigger: "cli",
  });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  tally.stop();

  return {
    wallMs,
    inventoryMs,
    inventoryCpuMs,
    requests: tally.kinds,
    newConnections: tally.newConnections,
    armReads: tally.armReads,
    podPages: tally.podPages,
    logReads: tally.logReads,
    findings: outcome.findings.length,
    clusters: outcome.scan.counts.clusters,
    clustersScanned: outcome.scan.counts.clustersScanned,
    checkFailures: outcome.checkFailures.length,
    peakRssBytes: Math.max(process.resourceUsage().maxRSS * 1024, sampledPeak),
    peakHeapUsedBytes: peakHeapUsed,
    peakExternalBytes: peakExternal,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
  };
}
