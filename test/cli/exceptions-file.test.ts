/**
 * The exceptions file (wiscan.yaml, --config): the compiled `wiscan` run as a
 * user runs it against the demo fleet. Exceptions obey the stored
 * suppressions' rules, hide from --fail-on, stay visible and marked in every
 * output; expired ones are reported and not applied; the file's defaults apply
 * under the command line.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ScanReport } from "../../shared/report/index.js";
import { wiscanIn, type CliResult } from "../support/cli.js";
import { loadDemoAnswerKey, type ExpectedFinding } from "../support/demo-answer-key.js";

const CHECK = "pod.label-missing";
const DAY = 86_400_000;

type Reported = ScanReport["findings"][number] & { status?: string; suppression?: { id: string; reason: string; expiresAt: string; source?: string } };

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), "wiscan-exceptions-"));
}

function yamlEntry(fields: Record<string, string | boolean>): string {
  return Object.entries(fields)
    .map(([k, v], i) => `${i === 0 ? "  - " : "    "}${k}: ${typeof v === "boolean" ? String(v) : JSON.stringify(v)}`)
    .join("\n");
}

function exceptionsYaml(...entries: Array<Record<string, string | boolean>>): string {
  return `exceptions:\n${entries.map(yamlEntry).join("\n")}\n`;
}

describe("wiscan scan with an exceptions file", () => {
  let target: Reported;
  /** The demo scanned with an exception for the target that expired yesterday: the finding as it is reported unsuppressed. */
  let expiredRun: CliResult;

  /** An exception for one finding, named as the answer key names it (cluster, namespace, name). */
  const exceptionFor = (f: Pick<ExpectedFinding, "checkId" | "cluster" | "namespace" | "name">, expiresAt: string) => ({
    checkId: f.checkId,
    cluster: f.cluster!,
    namespace: f.namespace!,
    name: f.name,
    reason: "TICKET-42: the team relabels next sprint",
    expiresAt,
  });
  const targetException = (expiresAt: string) =>
    exceptionFor({ checkId: target.checkId, cluster: target.resource.cluster, namespace: target.resource.namespace, name: target.resource.name }, expiresAt);

  beforeAll(async () => {
    // The demo's answer key names the finding; one scan gives both its id and what an expired exception does to it.
    const expected = (await loadDemoAnswerKey()).findings.find((f) => f.checkId === CHECK && f.severity === "high")!;
    const cwd = freshDir();
    writeFileSync(join(cwd, "wiscan.yaml"), exceptionsYaml(exceptionFor(expected, new Date(Date.now() - DAY).toISOString())));
    expiredRun = await wiscanIn(cwd, "scan", "--demo", "--no-store", "--check", CHECK, "--output", "json", "--fail-on", "high");
    const report = JSON.parse(expiredRun.stdout) as ScanReport;
    target = report.findings.find((f) => f.checkId === CHECK && f.resource.cluster === expected.cluster && f.resource.name === expected.name)!;
    expect(target).toBeDefined();
  });

  it("hides a finding from --fail-on and marks it suppressed in JSON, SARIF, CSV and the table (with the store as well)", async () => {
    const cwd = freshDir();
    writeFileSync(join(cwd, "wiscan.yaml"), exceptionsYaml(targetException(new Date(Date.now() + 30 * DAY).toISOString())));

    const sarif = await wiscanIn(cwd, "scan", "--demo", "--no-store", "--check", CHECK, "--output", "sarif", "--fail-on", "high");
    expect(sarif.stderr).not.toContain("wiscan:");
    expect(sarif.code).toBe(0);
    const results = (JSON.parse(sarif.stdout) as { runs: Array<{ results: Array<{ partialFingerprints: Record<string, string>; suppressions?: Array<{ justification: string }> }> }> }).runs[0]!.results;
    const result = results.find((r) => Object.values(r.partialFingerprints).includes(target.id))!;
    expect(result.suppressions?.[0]?.justification).toBe("TICKET-42: the team relabels next sprint");

    const csv = await wiscanIn(cwd, "scan", "--demo", "--no-store", "--check", CHECK, "--output", "csv");
    const row = csv.stdout.split("\n").find((line) => line.startsWith(target.id))!;
    expect(row.split(",")[1]).toBe("suppressed");

    const table = await wiscanIn(cwd, "scan", "--demo", "--no-store", "--check", CHECK, "--output", "table");
    expect(table.stdout).toContain("[suppressed until");

    // With the demo's store the exit code is recomputed from the store's suppressions: the file's still count.
    const json = await wiscanIn(cwd, "scan", "--demo", "--check", CHECK, "--output", "json", "--fail-on", "high");
    expect(json.code, json.stderr).toBe(0);
    const hidden = (JSON.parse(json.stdout) as { findings: Reported[] }).findings.find((f) => f.id === target.id)!;
    expect(hidden.status).toBe("suppressed");
    expect(hidden.suppression).toMatchObject({ id: "wiscan.yaml#1", reason: "TICKET-42: the team relabels next sprint", source: "file" });

    // `wiscan findings` reads the store and honours the same file: not open, but listed as suppressed by it.
    const open = await wiscanIn(cwd, "findings", "--demo", "--check", CHECK, "--output", "json");
    expect(open.code, open.stderr).toBe(0);
    expect((JSON.parse(open.stdout) as { findings: Reported[] }).findings.map((f) => f.id)).not.toContain(target.id);
    expect(open.stderr).toContain("1 more hidden by exceptions in wiscan.yaml");
    const suppressed = await wiscanIn(cwd, "findings", "--demo", "--check", CHECK, "--status", "suppressed", "--output", "json");
    const listed = (JSON.parse(suppressed.stdout) as { findings: Reported[] }).findings.find((f) => f.id === target.id);
    expect(listed?.suppression).toMatchObject({ id: "wiscan.yaml#1", source: "file" });
    const withoutFile = await wiscanIn(cwd, "findings", "--demo", "--check", CHECK, "--output", "json", "--config", join(freshDir(), "none.yaml"));
    expect(withoutFile.code).toBe(2);
    expect(withoutFile.stderr).toContain("cannot read the exceptions file");
    // Five demo scans and three reads of the store, one after the other: minutes on a loaded machine.
  }, 180_000);

  it("reports an expired exception on stderr and does not apply it", () => {
    expect(expiredRun.code).toBe(5);
    expect(expiredRun.stderr).toMatch(/warning: wiscan\.yaml: exception #1 \(pod\.label-missing\) expired on .* and is not applied/);
    expect(target.suppression).toBeUndefined();
    expect(target.status).toBeUndefined();
  });

  it("refuses a too-broad, a scan.* or a too-long exception with exit 2 and one line naming the file, the entry and the field", async () => {
    const cwd = freshDir();
    const inMonth = new Date(Date.now() + 30 * DAY).toISOString();
    const cases: Array<{ entries: Array<Record<string, string | boolean>>; line: RegExp }> = [
      {
        entries: [targetException(inMonth), { checkId: CHECK, subscription: target.resource.subscriptionId!, reason: "all of it", expiresAt: inMonth }],
        line: /^wiscan: cfg\.yaml: exception #2 \(pod\.label-missing\): pattern: .*fleetWide/,
      },
      { entries: [{ checkId: CHECK, namespace: "*", reason: "stars", expiresAt: inMonth }], line: /^wiscan: cfg\.yaml: exception #1 \(pod\.label-missing\): namespace: "\*" names nothing/ },
      { entries: [{ checkId: "scan.cluster-unreachable", cluster: "data-ingest", reason: "known", expiresAt: inMonth }], line: /^wiscan: cfg\.yaml: exception #1 \(scan\.cluster-unreachable\): checkId: is a scan\.\* check/ },
      { entries: [{ ...targetException(new Date(Date.now() + 400 * DAY).toISOString()) }], line: /^wiscan: cfg\.yaml: exception #1 \(pod\.label-missing\): expiresAt: must be at most 90 days ahead/ },
      { entries: [{ checkId: CHECK, cluster: "payments-staging", expiresAt: inMonth }], line: /^wiscan: cfg\.yaml: exception #1 \(pod\.label-missing\): reason: is required/ },
      { entries: [{ ...targetException(inMonth), createdBy: "someone" }], line: /^wiscan: cfg\.yaml: exception #1 \(pod\.label-missing\): createdBy: is not a known field/ },
    ];
    for (const c of cases) {
      writeFileSync(join(cwd, "cfg.yaml"), exceptionsYaml(...c.entries));
      const run = await wiscanIn(cwd, "scan", "--demo", "--no-store", "--config", "cfg.yaml", "--output", "json");
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(c.line);
      expect(run.stdout).toBe("");
    }
    const missing = await wiscanIn(cwd, "scan", "--demo", "--no-store", "--config", "absent.yaml");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^wiscan: absent\.yaml: cannot read/);
    writeFileSync(join(cwd, "cfg.yaml"), "defaults:\n  failOn: severe\n");
    const badDefault = await wiscanIn(cwd, "scan", "--demo", "--no-store", "--config", "cfg.yaml");
    expect(badDefault.code).toBe(2);
    expect(badDefault.stderr).toMatch(/^wiscan: cfg\.yaml: defaults\.failOn: must be one of high, medium, low, info/);
  });

  it("applies the file's defaults, and options given on the command line override them", async () => {
    const cwd = freshDir();
    writeFileSync(join(cwd, "wiscan.yaml"), `defaults:\n  subscriptions: [${target.resource.subscriptionId}]\n  checks: [${CHECK}]\n  failOn: high\n  output: json\n`);
    const fromFile = await wiscanIn(cwd, "scan", "--demo", "--no-store");
    expect(fromFile.code).toBe(5);
    const report = JSON.parse(fromFile.stdout) as ScanReport;
    expect(report.scan.subscriptions).toEqual([target.resource.subscriptionId]);
    expect(new Set(report.findings.map((f) => f.checkId).filter((id) => !id.startsWith("scan.")))).toEqual(new Set([CHECK]));

    const overridden = await wiscanIn(cwd, "scan", "--demo", "--no-store", "--check", "fic.limit-near", "--output", "csv", "--subscription", report.scan.subscriptions[0]!);
    expect(overridden.code).toBe(0);
    expect(overridden.stdout.split("\n")[0]).toMatch(/^id,status,severity,checkId/);
    expect(overridden.stdout).not.toContain(CHECK);
  });
});
