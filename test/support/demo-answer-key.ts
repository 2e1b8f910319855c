/**
 * The demo fleet (test/fleets/demo) and its answer key, expected-findings.json:
 * what a scan of the demo must report, and why. Read by the demo scan, the
 * live probe and the fleet's own consistency tests.
 */
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
  /** What the live token-exchange probe adds when it runs: always a service account of a cluster. */
  probeFindings: { findings: ExpectedProbeFinding[] };
}

export async function loadDemoAnswerKey(): Promise<DemoAnswerKey> {
  return JSON.parse(await readFile(`${DEMO_FLEET_DIR}/expected-findings.json`, "utf8")) as DemoAnswerKey;
}
