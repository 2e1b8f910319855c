/**
 * The view model of the CLI's HTML report: what a security team reads in the
 * digest (subscription names, open findings by severity, controls at stake,
 * what the scan did not check and why, the fix with its shell), for one scan
 * and its findings. Pure: the same scan and findings give the same view.
 *
 * Every value from Azure or a cluster is bounded by clip() here, so the
 * template cannot forget; escaping is the template's ({{ }} only).
 */
import { commandForms, SHELL_LABELS } from "../checks/command-forms.js";
import { groupBy } from "../collections.js";
import type { ScanCoverageSummary } from "../coverage/summary.js";
import { clip, clipMultiline } from "../digest/text-bounds.js";
import { SEVERITIES, type Severity } from "../findings/model.js";
import type { Subscription } from "../inventory/model.js";
import type { ClusterHealth, ScanRun } from "../scan/model.js";
import { formatInstant, safeUrl } from "../views/format.js";
import { compareFindings } from "./finding-order.js";
import { statusOf, type ReportedFinding } from "./model.js";

const SEVERITY_LABELS: Record<Severity, string> = { high: "High", medium: "Medium", low: "Low", info: "Info" };
const FLEET_LEVEL = "Identities and app registrations";

export interface HtmlReportOptions {
  /** The scan's subscriptions with their display names (the inventory's); ids are shown where a name is unknown. */
  subscriptions?: readonly Pick<Subscription, "subscriptionId" | "displayName">[];
}

export interface SeverityCountView {
  severity: Severity;
  label: string;
  count: number;
}

export interface FindingCardView {
  id: string;
  severity: Severity;
  severityLabel: string;
  title: string;
  /** Within its cluster: namespace, kind and name (the cluster is the group's heading). */
  where: string;
  identity: string;
  checkId: string;
  controls: string;
  evidence: { key: string; value: string }[];
  remediationText: string;
  command: string;
  shell: string;
  /** The same command for PowerShell 7.3+; empty when none can be written safely (checks/command-forms.ts). */
  powershellCommand: string;
  powershellShell: string;
  docsUrl: string;
  suppression?: { reason: string; createdBy: string; expiresAt: string };
}

export interface FindingGroupView {
  subscription: string;
  /** Empty when no display name is known, as in SubscriptionRowView. */
  subscriptionId: string;
  clusters: { cluster: string; open: number; findings: FindingCardView[] }[];
}

export interface SubscriptionRowView {
  name: string;
  /** Shown under the name; empty when no display name is known (the name is then the id). */
  id: string;
  clusters: string;
  open: number;
  high: number;
  controls: string;
}

export interface ControlRowView {
  control: string;
  open: number;
  high: number;
  checks: string;
}

export interface CoverageView {
  percent: string;
  evaluated: number;
  total: number;
  actionableGaps: number;
  gaps: { where: string; reason: string; actionable: boolean; detail: string; checks: string }[];
  more: number;
  notSelected: string;
}

export interface ClusterRowView {
  cluster: string;
  subscription: string;
  status: string;
  ok: boolean;
  reason: string;
  accessPath: string;
  requests: number;
  duration: string;
  findings: number;
}

export interface HtmlReportView {
  scan: { id: string; startedAt: string; duration: string; clustersScanned: number; clustersTotal: number; complete: boolean };
  subscriptionsLabel: string;
  bySeverity: SeverityCountView[];
  open: number;
  suppressed: number;
  subscriptions: SubscriptionRowView[];
  controls: ControlRowView[];
  groups: FindingGroupView[];
  coverage?: CoverageView;
  clusters: ClusterRowView[];
  shell: string;
}

export function buildHtmlReportView(scan: ScanRun, findings: readonly ReportedFinding[], options: HtmlReportOptions = {}): HtmlReportView {
  // The scan keeps the inventory's names; options may name more (or newer) ones.
  const names = new Map<string, string>(Object.entries(scan.subscriptionNames ?? {}));
  for (const s of options.subscriptions ?? []) {
    if (s.displayName !== undefined && s.displayName !== "") names.set(s.subscriptionId.toLowerCase(), s.displayName);
  }
  const subName = (id: string | undefined) => (id === undefined ? "Tenant" : clip(names.get(id.toLowerCase()) ?? id, "name"));
  const sorted = [...findings].sort(compareFindings);
  const open = sorted.filter((f) => statusOf(f) === "open");
  const subscriptionIds = [...new Set([...scan.subscriptions, ...scan.clusters.map((c) => c.subscriptionId)].map((s) => s.toLowerCase()))];

  return {
    scan: {
      id: clip(scan.id, "name"),
      startedAt: formatInstant(scan.startedAt),
      duration: formatSeconds(scan.durationMs),
      clustersScanned: scan.counts.clustersScanned,
      clustersTotal: scan.counts.clusters,
      complete: scan.complete,
    },
    subscriptionsLabel: subscriptionIds.map(subName).join(", "),
    bySeverity: SEVERITIES.map((severity) => ({ severity, label: SEVERITY_LABELS[severity], count: open.filter((f) => f.severity === severity).length })),
    open: open.length,
    suppressed: sorted.length - open.length,
    subscriptions: subscriptionRows(subscriptionIds, scan.clusters, open, subName),
    controls: controlRows(open),
    groups: findingGroups(sorted, subName),
    ...(scan.coverage !== undefined && { coverage: coverageView(scan.coverage, names, subName) }),
    clusters: clusterRows(scan.clusters, subName),
    shell: SHELL_LABELS.bash,
  };
}

function subscriptionRows(ids: readonly string[], clusters: readonly ClusterHealth[], open: readonly ReportedFinding[], subName: (id: string) => string): SubscriptionRowView[] {
  const bySubscription = groupBy(open, (f) => f.resource.subscriptionId?.toLowerCase() ?? "");
  return ids
    .map((id) => {
      const own = clusters.filter((c) => c.subscriptionId.toLowerCase() === id);
      const scanned = own.filter((c) => c.status === "ok" || c.status === "partial").length;
      const findings = bySubscription.get(id) ?? [];
      return {
        name: subName(id),
        id: subName(id) === id ? "" : clip(id, "name"),
        clusters: `${scanned} of ${own.length}`,
        open: findings.length,
        high: findings.filter((f) => f.severity === "high").length,
        controls: clip(distinctSorted(findings.flatMap((f) => f.controls)).join(", "), "text"),
      };
    })
    .sort((a, b) => b.high - a.high || b.open - a.open || a.name.localeCompare(b.name));
}

function controlRows(open: readonly ReportedFinding[]): ControlRowView[] {
  const byControl = groupBy(
    open.flatMap((f) => f.controls.map((control) => ({ control, f }))),
    (entry) => entry.control,
  );
  return [...byControl.entries()]
    .map(([control, entries]) => ({
      control: clip(control, "name"),
      open: entries.length,
      high: entries.filter((e) => e.f.severity === "high").length,
      checks: clip(distinctSorted(entries.map((e) => e.f.checkId)).join(", "), "text"),
    }))
    .sort((a, b) => b.high - a.high || b.open - a.open || a.control.localeCompare(b.control));
}

function findingGroups(sorted: readonly ReportedFinding[], subName: (id: string | undefined) => string): FindingGroupView[] {
  const bySubscription = groupBy(sorted, (f) => f.resource.subscriptionId?.toLowerCase() ?? "");
  return [...bySubscription.entries()]
    .map(([id, inSubscription]) => {
      const byCluster = groupBy(inSubscription, (f) => f.resource.cluster ?? "");
      return {
        subscription: subName(id === "" ? undefined : id),
        subscriptionId: id === "" || subName(id) === id ? "" : clip(id, "name"),
        clusters: [...byCluster.entries()]
          .map(([cluster, list]) => ({
            cluster: cluster === "" ? FLEET_LEVEL : clip(cluster, "name"),
            open: list.filter((f) => statusOf(f) === "open").length,
            findings: list.map(findingCard),
          }))
          .sort((a, b) => a.cluster.localeCompare(b.cluster)),
      };
    })
    .sort((a, b) => a.subscription.localeCompare(b.subscription));
}

function findingCard(f: ReportedFinding): FindingCardView {
  const r = f.resource;
  const object = r.namespace !== undefined ? `${r.namespace}/${r.name}` : r.name;
  const credential = r.credentialName !== undefined && r.credentialName !== r.name ? ` (credential ${r.credentialName})` : "";
  return {
    id: clip(f.id, "name"),
    severity: f.severity,
    severityLabel: SEVERITY_LABELS[f.severity],
    title: clip(f.title, "title"),
    where: clip(`${r.kind} ${object}${credential}`, "reason"),
    identity: clip(r.identityClientId ?? r.identityId ?? "", "name"),
    checkId: f.checkId,
    controls: clip(f.controls.join(", "), "text"),
    evidence: Object.entries(f.evidence).map(([key, value]) => ({ key: clip(key, "name"), value: clip(value, "evidence") })),
    remediationText: clip(f.remediation.text, "text"),
    command: clipMultiline(f.remediation.command ?? "", "command"),
    shell: SHELL_LABELS.bash,
    powershellCommand: clipMultiline(f.remediation.command === undefined ? "" : (commandForms(f.remediation.command).powershell ?? ""), "command"),
    powershellShell: SHELL_LABELS.powershell,
    docsUrl: safeUrl(f.docsUrl),
    ...(f.suppression !== undefined && {
      suppression: { reason: clip(f.suppression.reason, "reason"), createdBy: clip(f.suppression.createdBy, "name"), expiresAt: formatInstant(f.suppression.expiresAt) },
    }),
  };
}

function coverageView(coverage: ScanCoverageSummary, names: ReadonlyMap<string, string>, subName: (id: string) => string): CoverageView {
  const where = (w: string) => (w === "fleet" ? "identities (fleet-level checks)" : names.has(w.toLowerCase()) || coverage.missingSubscriptions.includes(w) ? subName(w) : clip(w, "name"));
  return {
    percent: `${coverage.percent} %`,
    evaluated: coverage.evaluated,
    total: coverage.total,
    actionableGaps: coverage.actionableGaps,
    gaps: coverage.gaps.map((g) => ({
      where: where(g.where),
      reason: clip(g.reason.replaceAll("-", " "), "name"),
      actionable: g.actionable,
      detail: clip(g.detail, "reason"),
      checks: clip(g.checkIds.join(", "), "text"),
    })),
    more: Math.max(0, coverage.gapLines - coverage.gaps.length),
    notSelected: clip(coverage.notSelected.join(", "), "text"),
  };
}

function clusterRows(clusters: readonly ClusterHealth[], subName: (id: string) => string): ClusterRowView[] {
  return clusters
    .map((c) => ({
      cluster: clip(c.cluster, "name"),
      subscription: subName(c.subscriptionId),
      status: c.status,
      ok: c.status === "ok",
      reason: clip(c.reason ?? "", "reason"),
      accessPath: c.accessPath,
      requests: c.requests,
      duration: formatSeconds(c.durationMs),
      findings: c.findings,
    }))
    .sort((a, b) => Number(a.ok) - Number(b.ok) || a.subscription.localeCompare(b.subscription) || a.cluster.localeCompare(b.cluster));
}

function distinctSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
