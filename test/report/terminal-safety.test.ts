/**
 * Terminal safety of every text output, with the hostile fleet's payloads
 * (simulator/generator/hostile.ts) and the classic escape sequences: nothing
 * from a cluster reaches a terminal as an escape sequence, a C0/C1 control, or
 * a bidi/zero-width character; CSV cells never start a formula; the table
 * wraps at 80 columns instead of cutting; JUnit stays well-formed XML 1.0.
 */
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { findingId, type Finding } from "../../shared/findings/index.js";
import { csvCell, findingsCsv, formatFindingsTable, terminalSafe, wantColor, writeReport } from "../../shared/report/index.js";
import { CHECKS } from "../../shared/checks/index.js";
import { hostilePayloads } from "../../simulator/generator/hostile.js";
import { logProgress } from "../../shared/cli/progress.js";
import { checksTable } from "../../shared/cli/checks-command.js";

const ESCAPES = [
  "\u001b[31mred\u001b[0m",
  "\u001b]0;pwned title\u0007",
  "\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\",
  "\u001bP+q\u001b\\",
  "\u009b31m",
  "\u001b[2J\u001b[H",
  "line\rover",
  "a\u0008b",
  "\u202egnp.exe",
  "zero\u200bwidth\ufeff",
  "iso\u2066late\u2069",
];
const PAYLOADS = [...hostilePayloads("/tmp/wiscan-canary"), ...ESCAPES];
/** Anything that would act on a terminal or hide in one. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u2028\u2029\ufeff]/;

function finding(payload: string, i: number): Finding {
  const resource = { subscriptionId: "0b1f6471-1bf0-4dda-aec3-cb9272f09590", cluster: `aks-${i}`, namespace: `ns-${payload}`, kind: "ServiceAccount", name: payload };
  return {
    id: findingId("sa.client-id-missing", resource),
    checkId: "sa.client-id-missing",
    severity: "high",
    title: `Labelled pods run as ${payload}`,
    resource,
    evidence: { annotation: payload },
    remediation: { text: `Annotate ${payload}.`, command: `kubectl annotate serviceaccount '${payload}'` },
    docsUrl: "https://learn.microsoft.com/azure/aks/workload-identity-overview",
    controls: ["MCSB IM-3"],
  };
}
const hostile = PAYLOADS.map(finding);

describe("terminalSafe", () => {
  it("replaces whole escape sequences, controls and invisible characters with a visible ?", () => {
    expect(terminalSafe("\u001b[31mred\u001b[0m")).toBe("?red?");
    expect(terminalSafe("\u001b]0;title\u0007x")).toBe("?x");
    expect(terminalSafe("\u202egnp.exe")).toBe("?gnp.exe");
    expect(terminalSafe("a\nb\tc")).toBe("a?b?c");
    expect(terminalSafe("a\nb\tc", { newlines: true, tabs: true })).toBe("a\nb\tc");
    expect(terminalSafe("Ω≈ç√ 𝕳 😀 é")).toBe("Ω≈ç√ 𝕳 😀 é");
    for (const p of PAYLOADS) expect(terminalSafe(p)).not.toMatch(UNSAFE);
  });
});

describe("the table", () => {
  it("carries no escape sequence or invisible character from cluster data, even in colour", () => {
    const plain = formatFindingsTable(hostile, 120);
    expect(plain).not.toMatch(UNSAFE);
    expect(plain).not.toContain("\u001b");
    // In colour, the only escapes are the table's own SGR codes.
    const coloured = formatFindingsTable(hostile, 120, true);
    expect(coloured).toContain("\u001b[");
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, "")).not.toMatch(UNSAFE);
  });

  it("wraps the location at 80 columns instead of cutting it", () => {
    const long = finding("a-service-account-with-a-rather-long-name-that-goes-on", 1);
    const table = formatFindingsTable([{ ...long, resource: { ...long.resource, cluster: "aks-production-westeurope-001", namespace: "payments-settlement-batch" } }], 80);
    const lines = table.trimEnd().split("\n");
    for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(80);
    expect(table).not.toContain("…");
    // Read the WHERE column back from its place under the header: the whole location is there.
    const [header, ...rows] = lines;
    const from = header!.indexOf("WHERE");
    const to = header!.indexOf("TITLE");
    const where = rows.map((l) => l.slice(from, to).trim()).join(" ");
    // Line breaks fall after a space or a "/": compare without the spaces wrapping moved.
    expect(where.replace(/\s+/g, "")).toBe("aks-production-westeurope-001:ServiceAccountpayments-settlement-batch/a-service-account-with-a-rather-long-name-that-goes-on");
  });

  it("wraps the checks list at 80 columns too", () => {
    for (const line of checksTable(80).trimEnd().split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    expect(checksTable(80)).toContain("fic.unknown-issuer");
  });
});

describe("colour", () => {
  it("only on a terminal, and never with NO_COLOR or TERM=dumb", () => {
    expect(wantColor({ isTTY: true }, {})).toBe(true);
    expect(wantColor({ isTTY: false }, {})).toBe(false);
    expect(wantColor({}, {})).toBe(false);
    expect(wantColor({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(wantColor({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
    expect(wantColor({ isTTY: true }, { TERM: "dumb" })).toBe(false);
  });
});

describe("CSV", () => {
  it("guards formulas, also after blanks, separators of ;-locales, tabs and line ends", () => {
    for (const cell of ["=1+1", "+1", "-1", "@SUM(A1)", ";=cmd|' /C calc'!A0", ",=1", " =1", "\t=1", "\r=1", "\tplain", "\u{ff1d}1"]) {
      const out = csvCell(cell);
      const unquoted = out.startsWith('"') ? out.slice(1, -1).replace(/""/g, '"') : out;
      expect(unquoted.startsWith("'"), JSON.stringify(cell)).toBe(true);
    }
    expect(csvCell("a;b")).toBe('"a;b"');
    expect(csvCell("plain")).toBe("plain");
  });

  it("carries no escape sequence, C1 control or invisible character, and keeps one row per finding", () => {
    const csv = findingsCsv(hostile);
    // Line ends and tabs stay inside quoted cells; nothing else that acts on a terminal.
    expect(csv.replace(/[\r\n\t]/g, "")).not.toMatch(UNSAFE);
    expect(csv).not.toContain("\u001b");
    expect(csv.split("\r\n").filter((l) => /^[0-9a-f]{16,},/.test(l))).toHaveLength(hostile.length);
  });

  it("leaves the lifecycle of a scan's own findings empty rather than inventing it", () => {
    const [header, row] = findingsCsv([finding("x", 1)]).split("\r\n");
    const cells = Object.fromEntries(header!.split(",").map((h, i) => [h, row!.split(",")[i]]));
    expect(cells["status"]).toBe("open");
    expect(cells["firstSeenAt"]).toBe("");
    expect(cells["openedAt"]).toBe("");
  });
});

describe("JUnit and SARIF with hostile values", () => {
  const input = { findings: hostile, checks: CHECKS, toolVersion: "0.0.0" };
  it("JUnit stays well-formed XML 1.0: forbidden characters stripped, the rest escaped", () => {
    const xml = writeReport("junit", input);
    expect(XMLValidator.validate(xml)).toBe(true);
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(xml).not.toContain("<script>");
  });

  it("SARIF keeps values as JSON strings and gives every finding a distinct logical location", () => {
    const sarif = JSON.parse(writeReport("sarif", input)) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> };
    const uris = sarif.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    for (const uri of uris) expect(uri).toMatch(/^azure\/[A-Za-z0-9%._~!'()*/-]+$/);
  });
});

describe("progress without a terminal", () => {
  it("writes a plain line once the interval has passed, never between", () => {
    let now = 0;
    const lines: string[] = [];
    const progress = logProgress({ write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream, () => now, 5_000);
    progress.update(1, 10, 3);
    now = 4_999;
    progress.update(2, 10, 4);
    expect(lines).toEqual([]);
    now = 5_000;
    progress.update(3, 10, 7);
    now = 6_000;
    progress.update(4, 10, 8);
    expect(lines).toEqual(["scanning: 3 of 10 clusters done, 7 findings so far\n"]);
    expect(lines.join("")).not.toContain("\r");
  });
});
