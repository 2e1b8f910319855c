/**
 * The CLI habits of kubescape, trivy and prowler users (issue 18): `wiscan
 * checks`, --severity, -o, --quiet, no colour off a terminal or with NO_COLOR,
 * and the scan id at the end. The compiled CLI, run as a child process: its
 * stdout and stderr are pipes, as in CI.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECK_IDS } from "../../shared/findings/model.js";
import { scanReportSchema } from "../../shared/report/index.js";
import { wiscanIn, wiscanWith } from "../support/cli.js";

const cwd = () => mkdtempSync(join(tmpdir(), "wiscan-conv-"));

describe("wiscan checks", () => {
  it("lists every check as JSON off a terminal, with its severity rule, title and controls", async () => {
    const { code, stdout } = await wiscanIn(cwd(), "checks");
    expect(code).toBe(0);
    const { checks } = JSON.parse(stdout) as { checks: Array<{ id: string; severityRule: string; title: string; controls: string[]; highestSeverity: string }> };
    expect(checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
    for (const c of checks) {
      expect(c.title.length).toBeGreaterThan(0);
      expect(c.severityRule).toMatch(/high|medium|low|info/);
      expect(Array.isArray(c.controls)).toBe(true);
    }
  });

  it("prints a table with -o table, and refuses other formats", async () => {
    const table = await wiscanIn(cwd(), "checks", "-o", "table");
    expect(table.stdout).toMatch(/^ID\s+SEVERITY\s+TITLE\s+CONTROLS/);
    expect(table.stdout).toContain("sa.no-matching-fic");
    expect(table.stdout).not.toContain("\u001b");
    const bad = await wiscanIn(cwd(), "checks", "-o", "sarif");
    expect(bad.code).toBe(2);
  });
});

describe("wiscan scan conventions", () => {
  it("--severity outputs only those severities, --fail-on counts only them, and the scan id comes last", async () => {
    const dir = cwd();
    const all = await wiscanIn(dir, "scan", "--demo", "--no-store", "-o", "json");
    const everything = scanReportSchema.parse(JSON.parse(all.stdout));
    expect(all.stderr.trimEnd().split("\n").pop()).toBe(`scan id: ${everything.scan.id}`);

    const some = await wiscanIn(dir, "scan", "--demo", "--no-store", "-o", "json", "--severity", "low,info", "--fail-on", "medium");
    const filtered = scanReportSchema.parse(JSON.parse(some.stdout));
    expect(filtered.findings.length).toBe(everything.findings.filter((f) => f.severity === "low" || f.severity === "info").length);
    expect(filtered.findings.every((f) => f.severity === "low" || f.severity === "info")).toBe(true);
    // High findings exist but are not shown, so --fail-on medium has nothing to count.
    expect(everything.findings.some((f) => f.severity === "high")).toBe(true);
    expect(some.code).toBe(0);
    expect(some.stderr).toContain(`${filtered.findings.length} shown (--severity low,info)`);

    const bad = await wiscanIn(dir, "scan", "--demo", "--no-store", "--severity", "urgent");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--severity "urgent"');
  }, 120_000);

  it("--quiet writes results and nothing else; a table off a terminal has no colour, NO_COLOR or not", async () => {
    const quiet = await wiscanWith({ NO_COLOR: "1" }, cwd(), "scan", "--demo", "--no-store", "-q", "-o", "table");
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
    expect(quiet.stdout).toMatch(/^SEVERITY\s+CHECK\s+WHERE\s+TITLE/);
    expect(quiet.stdout).not.toContain("\u001b");
    const loud = await wiscanIn(cwd(), "scan", "--demo", "--no-store", "-o", "table");
    expect(loud.stdout).not.toContain("\u001b");
    expect(loud.stderr).not.toContain("\u001b");
    expect(loud.stderr).toMatch(/findings \(\d+ high/);
  }, 120_000);

  it("-o names every format in its usage error", async () => {
    const { code, stderr } = await wiscanIn(cwd(), "scan", "--demo", "--no-store", "-o", "xml");
    expect(code).toBe(2);
    expect(stderr).toContain("table, json, csv, sarif, junit, ocsf");
  });
});
