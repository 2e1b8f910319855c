/**
 * The demo fleet (test/fleets/demo) and its answer key, expected-findings.json:
 * what a scan of the demo must report, and why. Read by the demo scan, the
 * live probe and the fleet's own consistency tests.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

export const DEMO_FLEET_DIR = fileURLToPath(new URL("../fleets/demo", import.meta.url));

export interface ExpectedFinding {
  checkId: string;
  severity: string;
  cluster?: string;
  namespace?: string;
  kind: string;
  name: string;
  credentialName?: string;
  identityId?: string;
  why: string;
}

export type ExpectedProbeFinding = ExpectedFinding & { cluster: string; namespace: string };

export interface DemoAnswerKey {
  /** Clusters that must have no finding. */
  cleanClusters: string[];
  findings: ExpectedFinding[];
  /** Findings a scan must not report, each with the reason (cases where misreading Azure would produce one). */
  notReported: { findings: Array<Omit<ExpectedFinding, "severity">> };
  /** What the live token-exchange probe adds when it runs: always a service account of a cluster. */
  probeFindings: { findings: ExpectedProbeFinding[] };
}

export async function loadDemoAnswerKey(): Promise<DemoAnswerKey> {
  return JSON.parse(await readFile(`${DEMO_FLEET_DIR}/expected-findings.json`, "utf8")) as DemoAnswerKey;
}

/** How many managed clusters the demo fleet has (digest subjects and scan tallies count them). */
export function demoClusterCount(): number {
  return (JSON.parse(readFileSync(`${DEMO_FLEET_DIR}/azure.json`, "utf8")) as { managedClusters: unknown[] }).managedClusters.length;
}
