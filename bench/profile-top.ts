/**
 * `node dist/bench/profile-top.js <file.cpuprofile> [rows]`: the functions
 * with the most self time in a V8 CPU profile (what `--cpu-prof` writes), by
 * share of samples, with the file and line each is defined at. Chrome's
 * profiler shows the same, but the benchmark's machine has no browser.
 */
import { readFile } from "node:fs/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  samples: number;
  share: number;
}

/** Samples per function (nodes of the same function in different call paths added up), most first. */
export function selfTimes(profile: CpuProfile): SelfTime[] {
  const nodeKey = new Map<number, { name: string; where: string }>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^file:\/\//, "").replace(/^.*\/(dist|node_modules)\//, "$1/");
    nodeKey.set(node.id, { name: functionName || "(anonymous)", where: file ? `${file}:${lineNumber + 1}` : "" });
  }
  const counts = new Map<string, SelfTime>();
  for (const id of profile.samples) {
    const key = nodeKey.get(id) ?? { name: "(unknown)", where: "" };
    const mapKey = `${key.name} ${key.where}`;
    const entry = counts.get(mapKey) ?? { ...key, samples: 0, share: 0 };
    entry.samples += 1;
    counts.set(mapKey, entry);
  }
  const total = profile.samples.length || 1;
  return [...counts.values()].map((entry) => ({ ...entry, share: entry.samples / total })).sort((a, b) => b.samples - a.samples);
}

async function main(): Promise<void> {
  const [file, rows = "25"] = process.argv.slice(2);
  if (!file) throw new Error("usage: profile-top <file.cpuprofile> [rows]");
  const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
  console.log(`${profile.samples.length} samples`);
  for (const entry of selfTimes(profile).slice(0, Number(rows))) {
    console.log(`${(entry.share * 100).toFixed(1).padStart(5)} %  ${entry.name.padEnd(36)} ${entry.where}`);
  }
}

if (process.argv[1]?.endsWith("profile-top.js")) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
