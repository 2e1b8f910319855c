/**
 * `npm run bench`: scans synthetic fleets from the simulator's generator with
 * the real engine, each scan in a fresh scanner process against a simulator
 * in another, and prints a table (plus bench-results/bench-<time>.json) with
 * wall time, requests, peak RSS and the lower bound each wall time is held
 * to. See docs/benchmarks.md.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { benchCases, checkTargets, evaluate, mb, type BenchSettings, type CaseResult } from "./cases.js";
import { runScannerChild, startSimulatorChild } from "./children.js";
import { measureParseRate } from "./lower-bound.js";
import { resultTable, targetLines } from "./report.js";

const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number");
  return n;
};
const nodeFlags = (value: string): string[] => value.split(" ").filter(Boolean);
const sizes = (value: string): number[] => value.split(",").filter(Boolean).map((v) => positive(v.trim()));
const quota = (value: string) => {
  const match = /^(\d+)\/(\d+(?:\.\d+)?)s?$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected "<requests>/<seconds>", e.g. 15/5');
  return { limit: Number(match[1]), windowSeconds: Number(match[2]) };
};

const program = new Command("bench")
  .description("Benchmarks a fleet scan against the simulator (see docs/benchmarks.md)")
  .option("--sizes <list>", "fleet sizes, comma-separated", sizes, [100, 1000, 5000])
  .option("--latency-ms <n>", "latency injected into every request", positive, 25)
  .option("--concurrency <n>", "clusters scanned at once (the CLI default)", positive, 32)
  .option("--kubernetes-concurrency <n>", "requests in flight per cluster", positive, 4)
  .option("--inventory-concurrency <n>", "federated-credential reads in flight (default: clusters x per cluster)", positive)
  .option("--page-size <n>", "Kubernetes list page size", positive, 500)
  .option("--giant-pods <n>", "pods of the giant-cluster case (0 skips it)", positive, 20_000)
  .option("--baseline <n>", "clusters of the concurrency-1 baseline (0 skips it)", positive, 1000)
  .option("--many-service-accounts <n>", "service accounts per cluster of the request-growth case (0 skips it)", positive, 120)
  .option("--clusters-per-subscription <n>", "how the fleet spreads over subscriptions", positive, 25)
  .option("--arm-reads-per-second <n>", "ARM read refill per subscription (Azure: 25)", positive, 25)
  .option("--arm-burst <n>", "ARM read bucket per subscription (Azure: 250)", positive, 250)
  .option("--resource-graph-quota <q>", "Resource Graph quota per caller (Azure: 15/5)", quota, { limit: 15, windowSeconds: 5 })
  .option("--seed <n>", "generator seed", positive, 7)
  .option("--scanner-heap-mb <n>", "old-space limit of the scanner process (0: Node's default)", positive, 0)
  .option("--scanner-node-flags <flags>", "extra Node flags for the scanner process, space-separated (e.g. \"--cpu-prof --cpu-prof-dir=prof\")", nodeFlags, [])
  .option("--simulator-node-flags <flags>", "extra Node flags for the simulator process, space-separated", nodeFlags, [])
  .option("--out <dir>", "where the JSON result goes", "bench-results")
  .option("--from <file>", "print the table of an earlier run's JSON instead of running");

async function main(): Promise<void> {
  const raw = program.parse().opts<Omit<BenchSettings, "inventoryConcurrency" | "baselineSize" | "giantPods"> & { inventoryConcurrency?: number; baseline: number; giantPods: number; out: string; from?: string; scannerHeapMb: number; scannerNodeFlags: string[]; simulatorNodeFlags: string[] }>();
  if (raw.from !== undefined) {
    const saved = JSON.parse(await readFile(raw.from, "utf8")) as { results: CaseResult[]; parseBytesPerSecond: number };
    console.log(resultTable(saved.results, saved.parseBytesPerSecond));
    console.log("");
    console.log(targetLines(checkTargets(saved.results)));
    return;
  }
  const settings: BenchSettings = {
    ...raw,
    baselineSize: raw.baseline,
    inventoryConcurrency: raw.inventoryConcurrency ?? raw.concurrency * raw.kubernetesConcurrency,
  };
  const cases = benchCases(settings);
  console.log(`wiscan benchmark: ${cases.length} cases, ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);

  await mkdir(raw.out, { recursive: true });
  const file = join(raw.out, `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const results: CaseResult[] = [];
  let parseBytesPerSecond = 0;
  for (const benchCase of cases) {
    process.stdout.write(`- ${benchCase.name}: generating...`);
    const sim = await startSimulatorChild(benchCase.spec, raw.simulatorNodeFlags);
    let result: CaseResult | undefined;
    try {
      if (parseBytesPerSecond === 0) parseBytesPerSecond = measureParseRate(sim.samples.map((s) => s.body));
      process.stdout.write(` (${(sim.generateMs / 1000).toFixed(1)} s) scanning...`);
      const loadBefore = loadavg();
      const measurement = await runScannerChild({ connection: sim.connection, kubernetesEndpoint: sim.kubernetesEndpoint, ...benchCase.config }, raw.scannerHeapMb, raw.scannerNodeFlags);
      result = evaluate(benchCase, sim.facts, measurement, parseBytesPerSecond, {
        loadBefore,
        loadAfter: loadavg(),
        simulator: { generateMs: sim.generateMs, rssBytes: sim.rssBytes },
      });
      results.push(result);
      console.log(
        ` ${(measurement.wallMs / 1000).toFixed(2)} s, bound ${(result.bound.boundMs / 1000).toFixed(2)} s (${result.bound.limitedBy}), ${result.ratio.toFixed(2)}x, peak RSS ${mb(measurement.peakRssBytes)}, load ${loadavg()[0]?.toFixed(1)}`,
      );
    } finally {
      const stats = await sim.close();
      if (result && stats) result.simulator.cpuMs = stats.cpuMs;
    }
    // Written after every case, so that a long run stopped half-way keeps what it measured.
    await writeFile(file, JSON.stringify({ settings, cpus: cpus().length, node: process.version, parseBytesPerSecond, results, targets: checkTargets(results) }, null, 2));
  }

  const checks = checkTargets(results);
  console.log("");
  console.log(resultTable(results, parseBytesPerSecond));
  console.log("");
  console.log(targetLines(checks));

  console.log(`\nresults: ${file}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
