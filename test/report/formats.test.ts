/**
 * The machine formats of a real demo scan, each checked by its own validator:
 * SARIF by Microsoft's SARIF Multitool (the SARIF 2.1.0 schema and rules, and
 * GitHub code scanning's ingestion rules), OCSF by the Detection Finding JSON
 * Schema of OCSF 1.3.0, JUnit by an XML parser. The compiled CLI writes them,
 * as a pipeline would run it.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Ajv } from "ajv";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { CHECK_IDS } from "../../shared/findings/model.js";
import { scanReportSchema, type ScanReport } from "../../shared/report/index.js";
import { FINGERPRINT_KEY } from "../../shared/report/sarif.js";
import { wiscanIn } from "../support/cli.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "wiscan-formats-"));
let report: ScanReport;

async function scanTo(format: string, ...extra: string[]): Promise<string> {
  const path = join(dir, `findings.${format}`);
  const result = await wiscanIn(dir, "scan", "--demo", "--no-store", "--output", format, "--out", path, ...extra);
  expect(result.code, result.stderr).toBe(extra.includes("--fail-on") ? 5 : 0);
  return path;
}

/** Each format scanned once per file, whichever test asks first: a demo scan costs seconds of CPU (docs/testing.md). */
const scans = new Map<string, Promise<string>>();
function scanOnce(format: string): Promise<string> {
  let scan = scans.get(format);
  if (scan === undefined) {
    scan = scanTo(format);
    scans.set(format, scan);
  }
  return scan;
}

beforeAll(async () => {
  report = scanReportSchema.parse(JSON.parse(readFileSync(await scanTo("json"), "utf8")));
}, 120_000);

describe("SARIF", () => {
  it("passes the SARIF Multitool's validation, GitHub rules included, with no errors", async () => {
    const path = await scanOnce("sarif");
    // The package's bin goes through a shell, which splits "Sarif;Gh": call the platform binary it wraps.
    const multitool = createRequire(import.meta.url)("@microsoft/sarif-multitool") as string;
    const { stdout } = await run(multitool, ["validate", "--rule-kind", "Sarif;Gh", "--output", join(dir, "validation.sarif"), path], { maxBuffer: 16 * 1024 * 1024 });
    expect(stdout).toContain("Analysis completed successfully");
    expect(stdout).not.toMatch(/: error /);
    // Warnings left, on purpose: SARIF2005 (no informationUri: the tool has no public home page yet) and
    // SARIF2017 (no region: a Kubernetes object has no lines, and a made-up line 1 would mislead).
    const warnings = new Set([...stdout.matchAll(/: warning (\w+):/g)].map((m) => m[1]));
    expect([...warnings].filter((w) => w !== "SARIF2005" && w !== "SARIF2017")).toEqual([]);
    const validation = JSON.parse(readFileSync(join(dir, "validation.sarif"), "utf8")) as { runs: Array<{ results?: Array<{ level?: string }> }> };
    expect((validation.runs[0]?.results ?? []).filter((r) => r.level === "error")).toEqual([]);
  }, 180_000);

  it("has a rule per check with help and security-severity, and results fingerprinted by finding id", async () => {
    const sarif = JSON.parse(readFileSync(await scanOnce("sarif"), "utf8")) as {
      version: string;
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string; help: { text: string }; helpUri: string; properties: Record<string, unknown> }> } };
        automationDetails: { id: string };
        invocations: Array<{ properties: { scanId: string } }>;
        results: Array<{ ruleId: string; ruleIndex: number; partialFingerprints: Record<string, string>; locations: Array<{ logicalLocations: Array<{ fullyQualifiedName: string }> }> }>;
      }>;
    };
    expect(sarif.version).toBe("2.1.0");
    const sarifRun = sarif.runs[0]!;
    const rules = sarifRun.tool.driver.rules;
    expect(rules.map((r) => r.id).sort()).toEqual([...CHECK_IDS].sort());
    for (const rule of rules) {
      expect(rule.help.text).toContain(rule.helpUri);
      expect(["8.0", "5.0", "3.0", "1.0"]).toContain(rule.properties["security-severity"]);
    }
    // Each scan has its own id; GitHub takes the category from what comes before the last "/".
    expect(sarifRun.automationDetails.id).toBe(`wiscan/${sarifRun.invocations[0]?.properties.scanId}`);
    expect(sarifRun.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]).sort()).toEqual(report.findings.map((f) => f.id).sort());
    for (const r of sarifRun.results) expect(rules[r.ruleIndex]?.id).toBe(r.ruleId);
    const withNamespace = report.findings.find((f) => f.resource.namespace !== undefined && f.resource.subscriptionId !== undefined)!;
    const located = sarifRun.results.find((r) => r.partialFingerprints[FINGERPRINT_KEY] === withNamespace.id)!;
    expect(located.locations[0]?.logicalLocations[0]?.fullyQualifiedName).toBe(
      `subscriptions/${withNamespace.resource.subscriptionId}/resourceGroups/${withNamespace.resource.resourceGroup}/clusters/${withNamespace.resource.cluster}/namespaces/${withNamespace.resource.namespace}/${withNamespace.resource.kind}/${withNamespace.resource.name}`,
    );
  }, 120_000);
});

describe("OCSF", () => {
  it("writes one Detection Finding per finding, each valid against the OCSF 1.3.0 class schema", async () => {
    const events = JSON.parse(readFileSync(await scanTo("ocsf"), "utf8")) as Array<Record<string, any>>;
    expect(events).toHaveLength(report.findings.length);
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, "ocsf", "detection_finding-1.3.0.schema.json"), "utf8")) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    for (const event of events) {
      expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
      expect(event["class_uid"]).toBe(2004);
      expect(event["metadata"].version).toBe("1.3.0");
      expect(event["remediation"].desc.length).toBeGreaterThan(0);
    }
    const byId = new Map(events.map((e) => [e["finding_info"].uid as string, e]));
    for (const f of report.findings) {
      const event = byId.get(f.id)!;
      expect(event["severity"].toLowerCase()).toBe(f.severity === "info" ? "informational" : f.severity);
      expect(event["status"]).toBe("New");
      expect(event["metadata"].event_code).toBe(f.checkId);
    }
  }, 120_000);

  it("the schema rejects what it should: a wrong class, a missing finding_info, an unknown attribute", () => {
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, "ocsf", "detection_finding-1.3.0.schema.json"), "utf8")) as object;
    const validate = new Ajv({ strict: false }).compile(schema);
    const minimal = { activity_id: 1, category_uid: 2, class_uid: 2004, type_uid: 200401, severity_id: 4, time: 1, cloud: { provider: "Azure" }, metadata: { version: "1.3.0", product: { name: "wiscan", vendor_name: "wiscan" } }, finding_info: { uid: "x", title: "t" } };
    expect(validate(minimal)).toBe(true);
    expect(validate({ ...minimal, class_uid: 2003 })).toBe(false);
    const { finding_info: _f, ...withoutInfo } = minimal;
    expect(validate(withoutInfo)).toBe(false);
    expect(validate({ ...minimal, made_up: 1 })).toBe(false);
    expect(validate({ ...minimal, metadata: { version: "1.3.0", product: { vendor_name: "wiscan" } } })).toBe(false);
  });
});

describe("JUnit", () => {
  it("parses as XML: a suite per cluster and one for the fleet, a case per finding, failures at --fail-on", async () => {
    const xml = readFileSync(await scanTo("junit", "--fail-on", "high"), "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => name === "testsuite" || name === "testcase" }).parse(xml) as {
      testsuites: { tests: string; failures: string; testsuite: Array<{ name: string; testcase: Array<{ name: string; failure?: unknown; skipped?: { message: string } }> }> };
    };
    const suites = parsed.testsuites.testsuite;
    const clusters = new Set(report.scan.clusters.map((c) => c.cluster));
    const fleetGaps = (report.scan.coverage?.gaps ?? []).some((g) => !clusters.has(g.where));
    expect(new Set(suites.map((s) => s.name))).toEqual(new Set([...clusters, ...(report.findings.some((f) => f.resource.cluster === undefined) || fleetGaps ? ["fleet"] : [])]));
    const notChecked = (name: string) => / (not|partly) checked$/.test(name);
    const cases = suites.flatMap((s) => s.testcase).filter((c) => c.name !== "no findings" && !notChecked(c.name));
    expect(cases).toHaveLength(report.findings.length);
    const high = report.findings.filter((f) => f.severity === "high").length;
    expect(Number(parsed.testsuites.failures)).toBe(high);
    expect(cases.filter((c) => c.failure !== undefined)).toHaveLength(high);
    // A cluster the scan could not reach is not a clean one: its checks are skipped with the reason, none passes.
    const unreachable = report.scan.clusters.find((c) => c.status === "unreachable")!;
    const unreachableCases = suites.find((s) => s.name === unreachable.cluster)!.testcase;
    expect(unreachableCases.map((c) => c.name)).not.toContain("no findings");
    const skippedChecks = unreachableCases.filter((c) => notChecked(c.name));
    expect(skippedChecks.length).toBeGreaterThan(5);
    for (const c of skippedChecks) expect(c.skipped?.message).toMatch(/^unreachable: /);
  }, 120_000);

  it("without --fail-on every finding is a failure", async () => {
    const xml = readFileSync(await scanTo("junit"), "utf8");
    expect(xml).toContain(`failures="${report.findings.length}"`);
  }, 120_000);
});
