/**
 * `node dist/bench/list-items.js [--rounds N] [--chunk-bytes N]`: the
 * scanner's work on one generated cluster's list answers, without the
 * network: the list splitter alone, then everything a list page costs once
 * its bytes are in (splitting, the pod prefilter, the managedFields cut,
 * JSON.parse of the items kept), as KubeSession.getList and the collector do
 * it. Throughput in MB of answer per CPU second (process CPU time, not wall
 * time, so that other work on the machine counts less), the median of the
 * rounds. See docs/benchmarks.md.
 */
import { Command } from "commander";
import { ListSplitter } from "../shared/cluster/list-splitter.js";
import { withoutManagedFields } from "../shared/cluster/managed-fields.js";
import { isWorkloadIdentityServiceAccount, podBytesMayTouchWorkloadIdentity, serviceAccountSummary } from "../shared/cluster/summarize.js";
import type { V1ServiceAccount } from "@kubernetes/client-node";
import { startSimulatorChild } from "./children.js";

interface ListAnswer {
  path: string;
  body: Buffer;
}

/** Feeds one answer to a splitter in chunks of `chunkBytes`, as the socket hands them over. */
function splitAnswer(body: Buffer, chunkBytes: number, onItem: (bytes: Buffer) => void): void {
  const splitter = new ListSplitter(onItem);
  for (let at = 0; at < body.length; at += chunkBytes) splitter.write(body.subarray(at, at + chunkBytes));
  splitter.end();
}

export function splitOnly(answers: readonly ListAnswer[], chunkBytes: number): number {
  let items = 0;
  for (const answer of answers) splitAnswer(answer.body, chunkBytes, () => (items += 1));
  return items;
}

/** What a scan does with each item: pods through the prefilter, every item kept parsed without its managedFields. */
export function splitAndParse(answers: readonly ListAnswer[], chunkBytes: number, accountNames: ReadonlySet<string>): number {
  let parsed = 0;
  for (const answer of answers) {
    const pods = answer.path.startsWith("/api/v1/pods");
    splitAnswer(answer.body, chunkBytes, (bytes) => {
      if (pods && !podBytesMayTouchWorkloadIdentity(bytes, accountNames)) return;
      JSON.parse(withoutManagedFields(bytes).toString("utf8"));
      parsed += 1;
    });
  }
  return parsed;
}

/** Median MB per CPU second of `work` over `rounds`, each round `repeat` passes. */
function throughput(bytes: number, rounds: number, work: () => void): number {
  const repeat = Math.max(1, Math.round(20e6 / bytes));
  const perRound: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const before = process.cpuUsage();
    for (let pass = 0; pass < repeat; pass++) work();
    const used = process.cpuUsage(before);
    perRound.push((repeat * bytes) / 1e6 / ((used.user + used.system) / 1e6));
  }
  perRound.sort((a, b) => a - b);
  return perRound[perRound.length >> 1] ?? 0;
}

async function main(): Promise<void> {
  const options = new Command("list-items")
    .option("--rounds <n>", "measured rounds (the median is printed)", (v) => Number.parseInt(v, 10), 15)
    .option("--chunk-bytes <n>", "bytes per write, as TLS records arrive", (v) => Number.parseInt(v, 10), 16_384)
    .parse()
    .opts<{ rounds: number; chunkBytes: number }>();
  const sim = await startSimulatorChild({ clusters: 1, subscriptions: 1, seed: 7, pageSize: 500, latencyMs: 0, faults: {} });
  await sim.close();
  const answers = sim.samples.map((sample) => ({ path: sample.path, body: Buffer.from(sample.body) }));
  const bytes = answers.reduce((sum, answer) => sum + answer.body.length, 0);
  const accounts = answers.find((answer) => answer.path.startsWith("/api/v1/serviceaccounts"));
  const accountNames = new Set(
    ((accounts ? JSON.parse(accounts.body.toString("utf8")) : { items: [] }) as { items: V1ServiceAccount[] }).items
      .map(serviceAccountSummary)
      .filter(isWorkloadIdentityServiceAccount)
      .map((account) => account.name),
  );
  const items = splitOnly(answers, options.chunkBytes);
  const parsed = splitAndParse(answers, options.chunkBytes, accountNames);
  console.log(`one generated cluster: ${answers.length} lists, ${(bytes / 1e6).toFixed(2)} MB, ${items} items of which ${parsed} parsed; ${options.chunkBytes}-byte chunks`);
  // Warm up first: the first passes run unoptimised code.
  throughput(bytes, 3, () => splitAndParse(answers, options.chunkBytes, accountNames));
  console.log(`splitter alone           ${throughput(bytes, options.rounds, () => splitOnly(answers, options.chunkBytes)).toFixed(0)} MB/s (CPU)`);
  console.log(`split, filter and parse  ${throughput(bytes, options.rounds, () => splitAndParse(answers, options.chunkBytes, accountNames)).toFixed(0)} MB/s (CPU)`);
}

if (process.argv[1]?.endsWith("list-items.js")) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  });
}
