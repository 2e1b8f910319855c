/**
 * The compiled `wiscan` command, run as a user runs it: a child process with
 * arguments, reading its stdout, stderr and exit code. `npm test` builds dist/ first.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { scanReportSchema } from "../../shared/report/index.js";

const run = promisify(execFile);
const CLI = resolve("dist/shared/cli/main.js");

/** Runs the CLI in a fresh working directory, as a user in an empty folder would (out/ and .wiscan/ land there). */
async function wiscan(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return wiscanIn(mkdtempSync(join(tmpdir(), "wiscan-cwd-")), ...args);
}

async function wiscanIn(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("wiscan scan --demo", () => {
  it("prints a JSON report that follows the published schema, and a summary on stderr", async () => {
    const { code, stdout, stderr } = await wiscan("scan", "--demo", "--no-store", "--output", "json", "--html", join(mkdtempSync(join(tmpdir(), "wiscan-cli-")), "r.html"));
    expect(code).toBe(0);
    const report = scanReportSchema.parse(JSON.parse(stdout));
    expect(report.findings.length).toBeGreaterThan(20);
    expect(report.scan.counts.findings).toBe(report.findings.length);
    expect(stderr).toMatch(/findings \(\d+ high, \d+ medium, \d+ low, \d+ info\) in \d+ clusters across \d+ subscriptions/);
  });

  it("saves findings to the demo's local store, shows history on the second run, and reads them back with wiscan findings", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "wiscan-cwd-"));
    const first = await wiscanIn(cwd, "scan", "--demo", "--output", "json", "--out", "f.json");
    expect(first.code).toBe(0);
    const saved = /saved (\d+) findings to the demo's local Azurite .*: (\d+) new or reopened, 0 resolved/.exec(first.stderr);
    expect(saved?.[1]).toBe(saved?.[2]);
    expect(first.stderr).toContain("read them back with: npx wiscan findings --demo");

    const second = await wiscanIn(cwd, "scan", "--demo", "--output", "json", "--out", "f.json");
    expect(second.stderr).toMatch(/: 0 new or reopened, 0 resolved since the previous scan/);

    const high = await wiscanIn(cwd, "findings", "--demo", "--severity", "high", "--output", "json");
    expect(high.code).toBe(0);
    const stored = (JSON.parse(high.stdout) as { findings: Array<{ severity: string; status: string }> }).findings;
    const report = scanReportSchema.parse(JSON.parse(readFileSync(join(cwd, "f.json"), "utf8")));
    expect(stored.length).toBe(report.findings.filter((f) => f.severity === "high").length);
    expect(stored.every((f) => f.severity === "high" && f.status === "open")).toBe(true);

    const bad = await wiscanIn(cwd, "findings", "--demo", "--severity", "urgent");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--severity/);
  });

  it("exits 5 when a finding reaches --fail-on, so CI pipelines can gate on it", async () => {
    const { code } = await wiscan("scan", "--demo", "--no-store", "--output", "json", "--fail-on", "high", "--out", join(mkdtempSync(join(tmpdir(), "wiscan-cli-")), "f.json"));
    expect(code).toBe(5);
  });

  it("scans one cluster with one check family and writes CSV to the file it names", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "wiscan-cli-")), "sub", "findings.csv");
    const { code, stderr } = await wiscan("scan", "--demo", "--no-store", "--cluster", "checkout-prod", "--check", "fic", "--output", "csv", "--out", out);
    expect(code).toBe(0);
    expect(stderr).toContain(`wrote findings (csv): ${out}`);
    const lines = readFileSync(out, "utf8").trim().split("\r\n");
    expect(lines[0]).toMatch(/^id,status,severity,checkId,/);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(1)) expect(line).toMatch(/,fic\.[a-z-]+,/);
    for (const line of lines.slice(1)) expect(line).not.toMatch(/,payments-prod,|,data-platform,/);
  });

  it("exits 4 with a clear message when --cluster matches no cluster", async () => {
    const { code, stderr } = await wiscan("scan", "--demo", "--cluster", "no-such-cluster", "--output", "json");
    expect(code).toBe(4);
    expect(stderr).toContain('No cluster named "no-such-cluster"');
  });

  it("exits 2 naming the fleet file and field when a fleet description is invalid", async () => {
    const { code, stderr } = await wiscan("scan", "--demo", "--fleet", join(tmpdir(), "no-such-fleet-dir"), "--output", "json");
    expect(code).toBe(2);
    expect(stderr).toMatch(/azure\.json/);
  });
});

describe.concurrent("wiscan scan option errors", () => {
  it.each([
    [["--output", "xml"], /--output must be one of table, json, csv \(got "xml"\)/],
    [["--fail-on", "critical"], /--fail-on must be one of high, medium, low, info/],
    [["--check", "sa.no-such-check"], /--check "sa.no-such-check" is not a check id or family/],
    [["--concurrency", "0"], /--concurrency must be a whole number from 1 to 1000/],
    [["--subscription", "payments"], /--subscription "payments" is not a subscription id/],
    [["--fleet", "x"], /--fleet only applies with --demo/],
  ])("exits 2 for %j before touching Azure", async (args, message) => {
    const { code, stderr } = await wiscan("scan", ...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it("exits 2 for an unknown option, with help", async () => {
    const { code, stderr } = await wiscan("scan", "--bogus");
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown option '--bogus'/);
  });
});
