/**
 * JUnit XML for the test tabs of CI systems (Azure Pipelines, GitLab, Jenkins).
 * After kubescape's junit printer, with clusters where it has frameworks: a
 * suite per cluster (fleet-level findings, about identities and credentials
 * rather than one cluster, in a "fleet" suite), one test case per (check,
 * resource). A finding at or above --fail-on is a failure (every finding
 * without --fail-on); a suppressed one is skipped, with its reason; one below
 * the threshold passes and says what it saw. A cluster without findings has
 * one passing case, so a clean cluster shows as scanned rather than absent.
 */
import type { ReportedFinding, ReportInput, Writer } from "./model.js";
import { statusOf } from "./model.js";
import { compareFindings, findingLocation } from "./finding-order.js";
import { atOrAbove } from "./severity.js";
import { labelledCommandLines } from "./remediation-output.js";
import { terminalSafe } from "./terminal-safe.js";

const FLEET_SUITE = "fleet";

interface Suite {
  name: string;
  /** Seconds spent on the cluster, when the scan recorded it. */
  seconds?: number;
  findings: ReportedFinding[];
}

export function toJunit(input: ReportInput): string {
  const suites = new Map<string, Suite>();
  for (const c of input.scan?.clusters ?? []) suites.set(c.cluster, { name: c.cluster, seconds: c.durationMs / 1000, findings: [] });
  for (const f of input.findings) {
    const name = f.resource.cluster ?? FLEET_SUITE;
    const suite = suites.get(name) ?? { name, findings: [] };
    suite.findings.push(f);
    suites.set(name, suite);
  }
  const ordered = [...suites.values()].sort((a, b) => (a.name === FLEET_SUITE ? 1 : b.name === FLEET_SUITE ? -1 : a.name.localeCompare(b.name)));
  const rendered = ordered.map((s) => suite(s, input));
  const totals = rendered.reduce((t, r) => ({ tests: t.tests + r.tests, failures: t.failures + r.failures, skipped: t.skipped + r.skipped }), { tests: 0, failures: 0, skipped: 0 });
  const seconds = input.scan !== undefined ? ` time="${(input.scan.durationMs / 1000).toFixed(3)}"` : "";
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="wiscan"${attr("id", input.scan?.id)} tests="${totals.tests}" failures="${totals.failures}" errors="0" skipped="${totals.skipped}"${seconds}>\n` +
    rendered.map((r) => r.xml).join("") +
    `</testsuites>\n`
  );
}

function suite(s: Suite, input: ReportInput): { xml: string; tests: number; failures: number; skipped: number } {
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  for (const f of [...s.findings].sort(compareFindings)) {
    const status = statusOf(f);
    const name = `${f.checkId}: ${findingLocation(f)}`;
    const head = `    <testcase${attr("name", name)}${attr("classname", `wiscan.${f.checkId}`)}${attr("file", f.docsUrl)}>\n`;
    const detail = details(f);
    if (status === "suppressed" || status === "resolved") {
      skipped++;
      const why = status === "resolved" ? "resolved" : `suppressed until ${f.suppression?.expiresAt ?? "?"}: ${f.suppression?.reason ?? ""}`;
      cases.push(`${head}      <skipped${attr("message", why)}/>\n      <system-out>${text(detail)}</system-out>\n    </testcase>\n`);
    } else if (input.failOn === undefined || atOrAbove(f.severity, input.failOn)) {
      failures++;
      cases.push(`${head}      <failure${attr("message", `${f.severity}: ${f.title}`)}${attr("type", f.severity)}>${text(detail)}</failure>\n    </testcase>\n`);
    } else {
      cases.push(`${head}      <system-out>${text(`below --fail-on ${input.failOn}\n${detail}`)}</system-out>\n    </testcase>\n`);
    }
  }
  if (cases.length === 0) cases.push(`    <testcase${attr("name", "no findings")}${attr("classname", "wiscan")}/>\n`);
  const time = s.seconds !== undefined ? ` time="${s.seconds.toFixed(3)}"` : "";
  const stamp = input.scan !== undefined ? attr("timestamp", input.scan.startedAt.replace(/\.\d+Z$|Z$/, "")) : "";
  return {
    xml: `  <testsuite${attr("name", s.name)} tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}"${time}${stamp}>\n${cases.join("")}  </testsuite>\n`,
    tests: cases.length,
    failures,
    skipped,
  };
}

function details(f: ReportedFinding): string {
  const lines = [
    `${f.severity} ${f.checkId}: ${f.title}`,
    `where: ${findingLocation(f)}`,
    ...Object.entries(f.evidence).map(([k, v]) => `${k}: ${String(v)}`),
    `fix: ${f.remediation.text}`,
    ...labelledCommandLines(f.remediation),
    `docs: ${f.docsUrl}`,
    `finding id: ${f.id}`,
  ];
  return lines.join("\n");
}

/**
 * XML 1.0 text: characters the standard forbids (most C0 controls, lone
 * surrogates, U+FFFE/U+FFFF) cannot even be escaped, so they go, and escape
 * sequences too, since CI systems print test output to terminals and logs.
 */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

export function xmlText(value: string): string {
  return terminalSafe(value, { newlines: true, tabs: true })
    .replace(NOT_XML, "?")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

function text(value: string): string {
  return xmlText(value);
}

/** An attribute: also quotes escaped, and line ends and tabs as references (attribute values normalise raw ones to spaces). */
function attr(name: string, value: string | undefined): string {
  if (value === undefined) return "";
  const escaped = xmlText(value).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;");
  return ` ${name}="${escaped}"`;
}

export const junitWriter: Writer = {
  mediaType: "application/xml",
  extension: "xml",
  write: (input) => toJunit(input),
};

