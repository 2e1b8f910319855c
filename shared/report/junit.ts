/**
 * JUnit XML for the test tabs of CI systems (Azure Pipelines, GitLab, Jenkins).
 * After kubescape's junit printer, with clusters where it has frameworks: a
 * suite per cluster (fleet-level findings, about identities and credentials
 * rather than one cluster, in a "fleet" suite), one test case per (check,
 * resource). A finding at or above --fail-on is a failure (every finding
 * without --fail-on); a suppressed one is skipped, with its reason; one below
 * the threshold passes and says what it saw. A check the scan did not
 * evaluate (completely) on a cluster or the fleet is a skipped case with the
 * reason, never a pass: an unreachable cluster is not a clean one. A cluster
 * without findings where checks did run has one passing case, so a clean
 * cluster shows as scanned rather than absent.
 */
import type { CheckCoverage, GapReason } from "../coverage/model.js";
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
  /** Checks not evaluated (completely) here, from the scan's coverage. */
  gaps: Gap[];
  /** Checks evaluated completely here; undefined when only the summary is known (the fleet). */
  completeChecks?: number;
}

interface Gap {
  /** A check id, or what was not checked when the gap names no check (an unsaved cluster, a missing subscription). */
  subject: string;
  partial: boolean;
  reason: GapReason;
  detail: string;
}

/** Asked for, not missed: the selection left the check out, or the opt-in probe is off. */
const REQUESTED: ReadonlySet<GapReason> = new Set(["not-selected", "probe-off"]);

export function toJunit(input: ReportInput): string {
  const suites = new Map<string, Suite>();
  const suiteNamed = (name: string): Suite => {
    const suite = suites.get(name) ?? { name, findings: [], gaps: [] };
    suites.set(name, suite);
    return suite;
  };
  for (const c of input.scan?.clusters ?? []) {
    const checks = c.coverage?.checks;
    suites.set(c.cluster, {
      name: c.cluster,
      seconds: c.durationMs / 1000,
      findings: [],
      gaps: checks === undefined ? [{ subject: "every check", partial: false, reason: "read-failed", detail: "no coverage recorded for this cluster" }] : checks.flatMap(checkGap),
      completeChecks: checks?.filter((k) => k.state === "complete").length ?? 0,
    });
  }
  if (input.fleetCoverage !== undefined) {
    const checks = input.fleetCoverage.checks;
    Object.assign(suiteNamed(FLEET_SUITE), { gaps: checks.flatMap(checkGap), completeChecks: checks.filter((k) => k.state === "complete").length });
  }
  // What else the summary lists (subscriptions Resource Graph did not return; the fleet's checks when only the summary is known) goes in the fleet suite.
  for (const line of input.scan?.coverage?.gaps ?? []) {
    if (suites.has(line.where) || REQUESTED.has(line.reason) || (line.where === FLEET_SUITE && input.fleetCoverage !== undefined)) continue;
    const detail = line.where === FLEET_SUITE ? line.detail : `${line.where}: ${line.detail}`;
    const subjects = line.checkIds.length > 0 ? line.checkIds : [line.where];
    suiteNamed(FLEET_SUITE).gaps.push(...subjects.map((subject) => ({ subject, partial: false, reason: line.reason, detail })));
  }
  for (const f of input.findings) suiteNamed(f.resource.cluster ?? FLEET_SUITE).findings.push(f);
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
  for (const gap of s.gaps) {
    skipped++;
    const name = `${gap.subject}: ${gap.partial ? "partly checked" : "not checked"}`;
    cases.push(`    <testcase${attr("name", name)}${attr("classname", `wiscan.${gap.subject}`)}>\n      <skipped${attr("message", `${gap.reason}: ${gap.detail}`)}/>\n    </testcase>\n`);
  }
  if (s.findings.length === 0 && (s.gaps.length === 0 || (s.completeChecks ?? 0) > 0)) {
    cases.push(`    <testcase${attr("name", "no findings")}${attr("classname", "wiscan")}/>\n`);
  }
  const time = s.seconds !== undefined ? ` time="${s.seconds.toFixed(3)}"` : "";
  const stamp = input.scan !== undefined ? attr("timestamp", input.scan.startedAt.replace(/\.\d+Z$|Z$/, "")) : "";
  return {
    xml: `  <testsuite${attr("name", s.name)} tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}"${time}${stamp}>\n${cases.join("")}  </testsuite>\n`,
    tests: cases.length,
    failures,
    skipped,
  };
}

/** A check of a cluster, or of the fleet, that was not evaluated completely; none for one left out on request. */
function checkGap(check: CheckCoverage): Gap[] {
  if (check.state === "complete" || check.reason === undefined || REQUESTED.has(check.reason)) return [];
  const where = check.namespaces !== undefined && check.namespaces.length > 0 ? ` (namespaces not evaluated: ${check.namespaces.slice(0, 10).join(", ")}${check.namespaces.length > 10 ? ", …" : ""})` : "";
  return [{ subject: check.checkId, partial: check.state === "partial", reason: check.reason, detail: `${check.detail ?? ""}${where}` }];
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

