/**
 * The whole pipeline against the demo fleet: the simulator in this process,
 * the production Azure and Kubernetes clients pointed at it, the engine's
 * scanFleet, and the answer key test/fleets/demo/expected-findings.json.
 * Nothing of ours is mocked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAzureScanDependencies, scanFleet, type ScanOutcome } from "../../shared/engine/index.js";
import { CHECK_IDS, type Finding } from "../../shared/findings/index.js";
import type { Simulator } from "../../simulator/index.js";
import { DEMO_RUN_COMMAND_SCOPES } from "../../shared/cli/demo.js";
import { DEMO_FLEET_DIR as DEMO_DIR, loadDemoAnswerKey, type DemoAnswerKey, type ExpectedFinding } from "../support/demo-answer-key.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";

type AnswerKey = Pick<DemoAnswerKey, "cleanClusters" | "findings" | "notReported">;

type Keyed = Pick<ExpectedFinding, "checkId" | "cluster" | "namespace" | "kind" | "name" | "credentialName">;

/** What the answer key pins down about a finding: the check and the resource, not the wording. */
const keyOf = (f: Keyed) => [f.checkId, f.cluster ?? "-", f.namespace ?? "-", f.kind, f.name, f.credentialName ?? "-"].join(" | ");
const keyOfFinding = (f: Finding) => keyOf({ checkId: f.checkId, ...f.resource });

let sim: Simulator;
let answers: AnswerKey;
let first: ScanOutcome;
let second: ScanOutcome;

async function scan(): Promise<ScanOutcome> {
  // As `wiscan scan --demo` scans: run command allowed on the demo's private cluster payments-core.
  return scanFleet(createAzureScanDependencies(clientsFor(sim), { runCommandScopes: DEMO_RUN_COMMAND_SCOPES }), {
    scope: { subscriptions: [], managementGroups: [], clusters: [] },
    concurrency: 8,
    trigger: "demo",
  });
}

beforeAll(async () => {
  answers = await loadDemoAnswerKey();
  sim = await startFleetSimulator({ fleetDir: DEMO_DIR });
  first = await scan();
  second = await scan();
});

afterAll(async () => {
  await sim?.close();
});

describe("a scan of the demo fleet", () => {
  it("reports exactly the findings of the answer key", () => {
    const found = new Set(first.findings.map(keyOfFinding));
    const expected = new Set(answers.findings.map(keyOf));
    const missing = [...expected].filter((k) => !found.has(k)).sort();
    const unexpected = [...found].filter((k) => !expected.has(k)).sort();
    const diff = [
      ...missing.map((k) => `  missing:    ${k}`),
      ...unexpected.map((k) => `  unexpected: ${k}`),
    ].join("\n");
    expect(diff, `scan vs expected-findings.json (checkId | cluster | namespace | kind | name | credential)\n${diff}\n`).toBe("");
    // Neither side holds a key twice, so equal sets mean equal lists.
    expect(first.findings).toHaveLength(found.size);
  });

  it("reports none of the findings the answer key says a misreading of Azure would produce", () => {
    const notReported = new Set(answers.notReported.findings.map(keyOf));
    expect(notReported.size).toBeGreaterThan(0);
    expect(first.findings.map(keyOfFinding).filter((k) => notReported.has(k))).toEqual([]);
  });

  it("reads the clusters that sign users in with another tenant, where the scanner is a guest", () => {
    const home = sim.fleet.azure.tenantId.toLowerCase();
    const guestClusters = sim.fleet.azure.managedClusters
      .filter((c) => String((c.properties?.["aadProfile"] as { tenantID?: string } | undefined)?.tenantID ?? home).toLowerCase() !== home)
      .map((c) => c.name);
    expect(guestClusters.length).toBeGreaterThan(0);
    for (const name of guestClusters) {
      const health = first.scan.clusters.find((h) => h.cluster === name);
      expect(health?.status, `${name}: ${health?.reason ?? ""}`).toBe("ok");
      expect(health?.podsSeen, name).toBeGreaterThan(0);
    }
  });

  it("gives each finding the severity the answer key expects", () => {
    const expected = new Map(answers.findings.map((f) => [keyOf(f), f.severity]));
    const wrong = first.findings
      .filter((f) => expected.has(keyOfFinding(f)) && expected.get(keyOfFinding(f)) !== f.severity)
      .map((f) => `${keyOfFinding(f)}: ${f.severity}, expected ${expected.get(keyOfFinding(f))}`);
    expect(wrong).toEqual([]);
  });

  it("runs every check without a failure", () => {
    expect(first.checkFailures).toEqual([]);
  });

  it("finds nothing on the clean clusters", () => {
    expect(answers.cleanClusters.length).toBeGreaterThan(0);
    for (const clean of answers.cleanClusters) {
      expect(first.findings.filter((f) => f.resource.cluster === clean), clean).toEqual([]);
      expect(first.scan.clusters.find((c) => c.cluster === clean)?.status, clean).toBe("ok");
    }
  });

  it("exercises every check of the catalog except the opt-in live probe and the scope check (below)", () => {
    const fired = new Set(first.findings.map((f) => f.checkId));
    const silent = CHECK_IDS.filter((id) => id !== "probe.token-exchange-failed" && id !== "scan.subscription-missing" && !fired.has(id));
    expect(silent).toEqual([]);
  });

  it("says it covered everything it could, with the opt-in probe not counted", () => {
    const coverage = first.scan.coverage!;
    expect(coverage.notSelected).toEqual([]);
    expect(coverage.missingSubscriptions).toEqual([]);
    // The demo's unreachable and forbidden clusters are gaps a person must close, named with their cluster.
    const unreachable = first.scan.clusters.filter((h) => h.status === "unreachable").map((h) => h.cluster);
    expect(unreachable.length).toBeGreaterThan(0);
    for (const cluster of unreachable) expect(coverage.gaps.some((g) => g.where === cluster && g.actionable), cluster).toBe(true);
    expect(coverage.percent).toBeLessThan(100);
    expect(coverage.evaluated).toBeGreaterThan(0);
  });

  it("reports a subscription in scope that Resource Graph does not return, and scans the rest", async () => {
    const gone = "0dd5e7a1-2b3c-4d5e-8f90-a1b2c3d4e5f6";
    const [kept] = first.scan.subscriptions;
    const narrowed = await scanFleet(createAzureScanDependencies(clientsFor(sim)), {
      scope: { subscriptions: [kept!, gone], managementGroups: [], clusters: [] },
      concurrency: 8,
      trigger: "demo",
    });
    const missing = narrowed.findings.filter((f) => f.checkId === "scan.subscription-missing");
    expect(missing.map((f) => f.resource.subscriptionId)).toEqual([gone]);
    expect(missing[0]!.severity).toBe("high");
    expect(narrowed.scan.coverage?.missingSubscriptions).toEqual([gone]);
    expect(narrowed.scan.complete).toBe(false);
    // Its identities are not judged: nothing of that subscription is covered at fleet level.
    expect(narrowed.fleetCoverage.subscriptions).not.toContain(gone);
    expect(narrowed.scan.clusters.every((h) => h.subscriptionId.toLowerCase() === kept!.toLowerCase())).toBe(true);
  });

  it("gives every problem the same finding id in two scans", () => {
    const ids = (outcome: ScanOutcome) => new Map(outcome.findings.map((f) => [keyOfFinding(f), f.id]));
    expect(ids(second)).toEqual(ids(first));
    expect(new Set(first.findings.map((f) => f.id)).size).toBe(first.findings.length);
  });

  it("quotes every value from a cluster or from Azure in the commands it offers", () => {
    const withCommands = first.findings.filter((f) => f.remediation.command !== undefined);
    expect(withCommands.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const f of withCommands) {
      const command = f.remediation.command ?? "";
      const parsed = segments(command);
      for (const segment of parsed) {
        // Outside quotes, nothing the shell would expand or interpret; in double quotes only our ${NAME:?hint} placeholders.
        if (segment.kind === "bare" && !/^[A-Za-z0-9_./:@%+,-]+$/.test(segment.text)) problems.push(`${keyOfFinding(f)}: bare ${JSON.stringify(segment.text)}`);
        if (segment.kind === "double" && !/^\$\{[A-Z_]+:\?[^"$`\\{}]*\}$/.test(segment.text)) problems.push(`${keyOfFinding(f)}: double-quoted ${JSON.stringify(segment.text)}`);
        if (segment.kind === "unterminated") problems.push(`${keyOfFinding(f)}: unterminated quote`);
      }
      // A name from the cluster stands bare only when it is a plain [a-z0-9.-] token; anything else only inside single quotes.
      for (const value of [f.resource.namespace, f.resource.name, f.resource.cluster, f.resource.credentialName]) {
        if (value === undefined || /^[a-z0-9.-]+$/.test(value)) continue;
        for (let at = command.indexOf(value); at >= 0; at = command.indexOf(value, at + 1)) {
          const quoted = parsed.some((p) => p.kind === "single" && p.start <= at && at + value.length <= p.end);
          if (!quoted) problems.push(`${keyOfFinding(f)}: ${JSON.stringify(value)} unquoted at ${at}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

interface Segment {
  kind: "bare" | "single" | "double" | "unterminated";
  text: string;
  /** Where the text (inside any quotes) starts and ends in the command. */
  start: number;
  end: number;
}

/** A POSIX shell's view of a command: words made of bare, '...' and "..." parts, split on blanks and newlines. */
function segments(command: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  while (i < command.length) {
    const c = command[i]!;
    if (c === " " || c === "\n" || c === "\t") {
      i += 1;
    } else if (c === "'" || c === '"') {
      const end = command.indexOf(c, i + 1);
      if (end < 0) {
        out.push({ kind: "unterminated", text: command.slice(i), start: i, end: command.length });
        break;
      }
      out.push({ kind: c === "'" ? "single" : "double", text: command.slice(i + 1, end), start: i + 1, end });
      i = end + 1;
    } else {
      let end = i;
      while (end < command.length && !" \n\t'\"".includes(command[end]!)) end += 1;
      out.push({ kind: "bare", text: command.slice(i, end), start: i, end });
      i = end;
    }
  }
  return out;
}
