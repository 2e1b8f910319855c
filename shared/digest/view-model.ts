/**
 * Builds the digest's view model from what the store holds. Pure: no I/O, no
 * clock; the same data gives the same view, so the HTML and the plain-text
 * parts always tell the same facts.
 */
import { groupBy } from "../collections.js";
import { SEVERITIES } from "../findings/model.js";
import { compareFindings } from "../report/index.js";
import type { StoredClusterHealth, StoredFinding } from "../store/model.js";
import { addScores, clusterScore, scorePercent, type ScoreCount } from "./compliance.js";
import {
  apiLinks,
  clusterStatus,
  complianceRow,
  findingView,
  formatDay,
  formatDayTime,
  formatDuration,
  formatInstant,
  plural,
  resolvedView,
  scoreView,
  SEVERITY_COLORS,
  SEVERITY_LABELS,
  worstFirst,
  type Links,
} from "../views/index.js";
import type {
  ComplianceRowView,
  ControlView,
  DigestAudience,
  DigestData,
  DigestOptions,
  DigestView,
  FindingView,
  IdentityRiskView,
  MoreView,
  ResolvedView,
  ScoreView,
  SubscriptionGroupView,
  TrendPointView,
  UnscannedClusterView,
} from "./model.js";
import { refusedRoutesView } from "./refused-routes-view.js";
import { clip, clipMultiline } from "./text-bounds.js";
import { SHELL_LABELS } from "../checks/command-forms.js";

// Kept importable from here: the digest's callers and tests use them.
export { formatDuration, plural, scoreView };
import { expiringSuppressionsView } from "./expiring-suppressions-view.js";

/** Rows of the compliance tables and lists that are not bounded by maxFindings. */
export const LIST_LIMITS = { subscriptions: 50, clusters: 25, controls: 20, resolved: 100, identities: 10, unscanned: 50, slowest: 5 } as const;

const AT_RISK_CHECKS = new Set<string>(["identity.over-privileged", "fic.dangling"]);
const SCAN_PROBLEM_CHECKS = new Set<string>(["scan.forbidden", "scan.cluster-unreachable"]);
const FLEET_LEVEL = "(identities and app registrations)";

export function buildDigestView(data: DigestData, audience: DigestAudience, options: DigestOptions): DigestView {
  const links = apiLinks(options.findingsApiBaseUrl, audience.subscriptions);
  const since = data.previousScan?.startedAt;
  const isNew = (f: StoredFinding) => since === undefined || f.openedAt > since;

  const open = [...data.open].sort(compareFindings);
  const fresh = open.filter(isNew);
  const rest = open.filter((f) => !isNew(f));
  const subscriptions = subscriptionsOf(data, audience);
  const names = options.subscriptionNames ?? new Map<string, string>();
  const subName = (id: string | undefined) => (id === undefined ? "tenant" : clip(names.get(id) ?? names.get(id.toLowerCase()) ?? id, "name"));

  // Detailed findings: new ones first, then the most severe of the rest, up to the budget.
  const budget = Math.max(0, options.maxFindings);
  const newShown = fresh.slice(0, budget);
  const restShown = rest.slice(0, Math.max(0, budget - newShown.length));
  const toView = (f: StoredFinding) => findingView(f, isNew(f), links, subName);

  const newHigh = fresh.filter((f) => f.severity === "high").length;
  const byCluster = groupBy(open, (f) => f.resource.clusterId?.toLowerCase() ?? "");
  const clusterScores = new Map(data.clusters.map((h) => [h.clusterId.toLowerCase(), clusterScore(h, byCluster.get(h.clusterId.toLowerCase()) ?? [])]));
  const fleetScore = addScores(clusterScores.values());

  const subject = subjectLine(newHigh, open.length, data.resolved.length, data.clusters.length, subscriptions.length);
  const scanUrl = links.scan(data.scan.id);

  return {
    subject,
    preheader: `${fresh.length} new, ${open.length} open, ${data.resolved.length} resolved; compliance ${scoreView(fleetScore).text}`,
    audienceLabel: audience.subscriptions === undefined ? "the whole fleet" : `${plural(subscriptions.length, "subscription")}: ${subscriptions.map(subName).join(", ")}`,
    scan: {
      id: clip(data.scan.id, "name"),
      startedAt: formatInstant(data.scan.startedAt),
      duration: formatDuration(data.scan.durationMs),
      clustersScanned: data.clusters.filter((h) => h.status === "ok" || h.status === "partial").length,
      clustersTotal: data.clusters.length,
      complete: data.scan.complete,
      url: scanUrl,
    },
    previousScan: data.previousScan && { id: clip(data.previousScan.id, "name"), startedAt: formatInstant(data.previousScan.startedAt) },
    totals: {
      open: open.length,
      new: fresh.length,
      newHigh,
      resolved: data.resolved.length,
      suppressed: data.suppressed.length,
      clusters: data.clusters.length,
      subscriptions: subscriptions.length,
    },
    bySeverity: SEVERITIES.map((severity) => ({
      severity,
      label: SEVERITY_LABELS[severity],
      count: open.filter((f) => f.severity === severity).length,
      color: SEVERITY_COLORS[severity],
    })),
    score: scoreView(fleetScore),
    ...complianceTables(data, subscriptions, byCluster, clusterScores, subName),
    controls: controlViews(open),
    trend: trendPoints(data, audience, open.length, scorePercent(fleetScore)),
    newFindings: newShown.map(toView),
    newMore: more(fresh.length - newShown.length, since === undefined ? links.list({ status: "open" }) : links.list({ status: "open", since })),
    openGroups: groupForDisplay(restShown.map(toView), restShown, subName),
    openMore: more(rest.length - restShown.length, links.list({ status: "open" })),
    resolved: data.resolved.slice(0, LIST_LIMITS.resolved).map((f) => resolvedView(f, links)),
    resolvedMore: more(data.resolved.length - LIST_LIMITS.resolved, links.list({ status: "resolved", ...(since !== undefined && { since }) })),
    identities: identitiesAtRisk(open, links, subName),
    ...scanHealth(data.clusters, open, subName),
    ...notChecked(data, subName),
    ...expiringSuppressionsView(data),
    ...refusedRoutesView(options, subName),
    links: links.base === undefined ? undefined : { openFindings: links.list({ status: "open" }), highFindings: links.list({ status: "open", severity: "high" }), scans: `${links.base}/scans` },
  };
}

export function subjectLine(newHigh: number, open: number, resolved: number, clusters: number, subscriptions: number): string {
  return `wiscan: ${newHigh} new high, ${open} open, ${resolved} resolved — ${plural(clusters, "cluster")} in ${plural(subscriptions, "subscription")}`;
}

function subscriptionsOf(data: DigestData, audience: DigestAudience): string[] {
  if (audience.subscriptions !== undefined) return audience.subscriptions.map((s) => s.toLowerCase());
  return [...new Set([...data.scan.subscriptions, ...data.clusters.map((c) => c.subscriptionId)].map((s) => s.toLowerCase()))];
}

// ------------------------------------------------------------------ findings

function groupForDisplay(views: FindingView[], findings: StoredFinding[], subName: (id: string | undefined) => string): SubscriptionGroupView[] {
  const bySub = new Map<string, Map<string, FindingView[]>>();
  views.forEach((view, i) => {
    const r = findings[i]!.resource;
    const sub = subName(r.subscriptionId);
    const cluster = r.cluster !== undefined ? clip(r.cluster, "name") : FLEET_LEVEL;
    const clusters = bySub.get(sub) ?? new Map<string, FindingView[]>();
    bySub.set(sub, clusters);
    const list = clusters.get(cluster) ?? [];
    clusters.set(cluster, list);
    list.push(view);
  });
  return [...bySub.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([subscription, clusters]) => ({
      subscription,
      clusters: [...clusters.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([cluster, list]) => ({ cluster, findings: list })),
    }));
}

// ------------------------------------------------------------------ compliance

function complianceTables(
  data: DigestData,
  subscriptions: string[],
  byCluster: Map<string, StoredFinding[]>,
  clusterScores: Map<string, ScoreCount>,
  subName: (id: string | undefined) => string,
): Pick<DigestView, "subscriptions" | "subscriptionsMore" | "clusters" | "clustersMore"> {
  const clusterRows = data.clusters.map((h) => {
    const findings = byCluster.get(h.clusterId.toLowerCase()) ?? [];
    return complianceRow(clip(h.cluster, "name"), subName(h.subscriptionId), clusterScores.get(h.clusterId.toLowerCase())!, findings, clusterStatus(h));
  });
  const bySub = groupBy(data.open, (f) => f.resource.subscriptionId?.toLowerCase() ?? "");
  const subRows = subscriptions.map((sub) => {
    const clusters = data.clusters.filter((h) => h.subscriptionId.toLowerCase() === sub);
    const score = addScores(clusters.map((h) => clusterScores.get(h.clusterId.toLowerCase())!));
    const scanned = clusters.filter((h) => h.status === "ok" || h.status === "partial").length;
    return { ...complianceRow(subName(sub), "", score, bySub.get(sub) ?? [], `${scanned} of ${plural(clusters.length, "cluster")} scanned`), subscriptionId: sub };
  });
  subRows.sort(worstFirst);
  clusterRows.sort(worstFirst);
  return {
    subscriptions: subRows.slice(0, LIST_LIMITS.subscriptions),
    subscriptionsMore: Math.max(0, subRows.length - LIST_LIMITS.subscriptions),
    clusters: clusterRows.slice(0, LIST_LIMITS.clusters),
    clustersMore: Math.max(0, clusterRows.length - LIST_LIMITS.clusters),
  };
}

function controlViews(open: readonly StoredFinding[]): ControlView[] {
  const byControl = new Map<string, StoredFinding[]>();
  for (const f of open) {
    for (const c of f.controls) {
      const list = byControl.get(c);
      if (list) list.push(f);
      else byControl.set(c, [f]);
    }
  }
  return [...byControl.entries()]
    .map(([control, findings]) => ({
      control: clip(control, "name"),
      open: findings.length,
      high: findings.filter((f) => f.severity === "high").length,
      checks: clip([...new Set(findings.map((f) => f.checkId))].sort().join(", "), "text"),
    }))
    .sort((a, b) => b.high - a.high || b.open - a.open || a.control.localeCompare(b.control))
    .slice(0, LIST_LIMITS.controls);
}

export function trendPoints(data: DigestData, audience: DigestAudience, openNow: number, scoreNow: number | undefined): TrendPointView[] {
  const points = data.earlierScans.map((scan) => {
    const record = data.trend.get(scan.id);
    // Without an earlier digest, the scan's own count stands in for the fleet; a team's share of it is unknown.
    const open = record?.open ?? (audience.subscriptions === undefined ? scan.counts.findings : undefined);
    return { label: formatDay(scan.startedAt), open, score: record?.scorePercent, current: false };
  });
  points.push({ label: formatDay(data.scan.startedAt), open: openNow, score: scoreNow, current: true });
  // Two scans on one day (an on-demand scan beside the weekly one) need the time to tell them apart.
  const days = points.map((p) => p.label);
  const sameDay = new Set(days.filter((d, i) => days.indexOf(d) !== i));
  const withTime = (p: (typeof points)[number], i: number) => (sameDay.has(p.label) ? formatDayTime(i < data.earlierScans.length ? data.earlierScans[i]!.startedAt : data.scan.startedAt) : p.label);
  const widest = Math.max(1, ...points.map((p) => p.open ?? 0));
  return points.map((p, i) => ({
    label: withTime(p, i),
    open: p.open === undefined ? "–" : String(p.open),
    openBar: p.open === undefined ? 0 : Math.max(1, Math.round((100 * p.open) / widest)),
    score: p.score === undefined ? "–" : `${p.score}%`,
    scoreBar: p.score === undefined ? 0 : Math.max(1, p.score),
    current: p.current,
  }));
}

// ------------------------------------------------------------------ identities and health

function identitiesAtRisk(open: readonly StoredFinding[], links: Links, subName: (id: string | undefined) => string): IdentityRiskView[] {
  const risky = open.filter((f) => AT_RISK_CHECKS.has(f.checkId));
  const byIdentity = groupBy(risky, (f) => (f.resource.identityId ?? f.resource.identityClientId ?? f.resource.name).toLowerCase());
  return [...byIdentity.values()]
    .map((findings) => {
      const first = findings[0]!;
      const r = first.resource;
      const reasons = findings.map((f) => (f.checkId === "fic.dangling" ? `dangling credential ${f.resource.credentialName ?? f.resource.name}` : `over-privileged: ${f.resource.name}`));
      return {
        identity: clip(identityName(r.identityId ?? r.identityClientId ?? r.name), "name"),
        subscription: subName(r.subscriptionId),
        reasons: clip([...new Set(reasons)].join("; "), "reason"),
        high: findings.filter((f) => f.severity === "high").length,
        findings: findings.length,
        detailsUrl: r.identityClientId !== undefined ? links.list({ status: "open", identity: r.identityClientId }) : links.finding(first.id),
      };
    })
    .sort((a, b) => b.high - a.high || b.findings - a.findings || a.identity.localeCompare(b.identity))
    .slice(0, LIST_LIMITS.identities);
}

function identityName(id: string): string {
  return id.startsWith("app:") ? id : (id.split("/").pop() ?? id);
}

/** Coverage gaps of the scan that concern this audience: its clusters and subscriptions, and the fleet. */
export function notChecked(data: DigestData, subName: (id: string | undefined) => string): Pick<DigestView, "notChecked" | "notCheckedMore" | "coverage"> {
  const coverage = data.scan.coverage;
  if (coverage === undefined) return { notChecked: [], notCheckedMore: 0, coverage: "" };
  const clusters = new Set(data.clusters.map((h) => h.cluster));
  const subscriptions = new Set(data.clusters.map((h) => h.subscriptionId.toLowerCase()));
  const lines = coverage.gaps
    .filter((g) => g.where === "fleet" || clusters.has(g.where) || subscriptions.has(g.where.toLowerCase()) || coverage.missingSubscriptions.includes(g.where))
    .map((g) => ({
      where: clip(g.where === "fleet" ? "identities (fleet-level checks)" : subscriptions.has(g.where.toLowerCase()) ? subName(g.where) : g.where, "name"),
      reason: clip(g.reason.replaceAll("-", " "), "name"),
      checks: clip(g.checkIds.length > 4 ? `${g.checkIds.slice(0, 4).join(", ")} and ${g.checkIds.length - 4} more` : g.checkIds.join(", "), "reason"),
      detail: clip(g.detail, "reason"),
      actionable: g.actionable,
    }));
  if (coverage.notSelected.length > 0) {
    lines.push({ where: "every cluster", reason: "not selected", checks: clip(coverage.notSelected.join(", "), "reason"), detail: "left out by the scan's check selection", actionable: false });
  }
  const hidden = coverage.gapLines - coverage.gaps.length;
  return {
    notChecked: lines.slice(0, LIST_LIMITS.unscanned),
    notCheckedMore: Math.max(0, lines.length - LIST_LIMITS.unscanned) + Math.max(0, hidden),
    coverage: `${coverage.percent} %`,
  };
}

function scanHealth(clusters: readonly StoredClusterHealth[], open: readonly StoredFinding[], subName: (id: string | undefined) => string): Pick<DigestView, "unscanned" | "unscannedMore" | "slowest"> {
  const problems = groupBy(
    open.filter((f) => SCAN_PROBLEM_CHECKS.has(f.checkId) && f.resource.clusterId !== undefined),
    (f) => f.resource.clusterId!.toLowerCase(),
  );
  const unscanned: UnscannedClusterView[] = clusters
    .filter((h) => h.status !== "ok" || !h.findingsSaved)
    .map((h) => {
      const problem = problems.get(h.clusterId.toLowerCase())?.[0];
      return {
        cluster: clip(h.cluster, "name"),
        subscription: subName(h.subscriptionId),
        status: h.findingsSaved ? h.status : `${h.status}, findings not saved`,
        reason: clip(h.reason ?? "", "reason"),
        fixText: clip(problem?.remediation.text ?? "", "text"),
        fixCommand: clipMultiline(problem?.remediation.command ?? "", "command"),
        fixShell: SHELL_LABELS.bash,
      };
    })
    .sort((a, b) => a.subscription.localeCompare(b.subscription) || a.cluster.localeCompare(b.cluster));
  const slowest = [...clusters]
    .sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, LIST_LIMITS.slowest)
    .map((h) => ({ cluster: clip(h.cluster, "name"), duration: formatDuration(h.durationMs) }));
  return { unscanned: unscanned.slice(0, LIST_LIMITS.unscanned), unscannedMore: Math.max(0, unscanned.length - LIST_LIMITS.unscanned), slowest };
}

// ------------------------------------------------------------------ links and formatting

function more(count: number, url: string): MoreView | undefined {
  return count > 0 ? { count, url } : undefined;
}
