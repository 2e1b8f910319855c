/**
 * The overview page's view: the digest's own view model for the whole fleet
 * (the same compliance rows, severity counts, trend points and coverage
 * lines the weekly mail shows), with console links and a server-drawn chart.
 */
import { buildDigestView, type DigestView } from "../digest/index.js";
import type { FleetDigestData } from "../digest/gather.js";
import type { ComplianceRowView, ScoreView, TrendPointView } from "../digest/model.js";
import { CONSOLE_LINKS } from "./paths.js";
import { subscriptionNameMap } from "../scan/subscription-names.js";
import type { PageChrome } from "./chrome.js";
import type { FindingCounts, StoredClusterHealth } from "../store/index.js";
import { overviewPartsFromCounts, type OverviewParts, type OverviewScan } from "./overview-counts.js";

export type Grade = "good" | "fair" | "poor" | "unknown";
export type GradedScore = ScoreView & { grade: Grade };

export interface TrendChartPoint {
  label: string;
  open: string;
  score: string;
  current: boolean;
  barX: number;
  barY: number;
  barWidth: number;
  barHeight: number;
  labelX: number;
  valueY: number;
  labelY: number;
  scoreY: number | undefined;
}

export interface TrendChart {
  width: number;
  height: number;
  left: number;
  right: number;
  baseline: number;
  points: TrendChartPoint[];
  /** SVG polyline points of the compliance line; "" when fewer than two scans have a score. */
  scoreLine: string;
}

export interface OverviewView {
  page: PageChrome;
  /** When the figures were read (the overview keeps them for a minute). */
  asOf: string;
  /** Every open and suppressed finding was read (a store saved before counts were kept), not the counts the store keeps per scope. */
  readEveryFinding: boolean;
  scan:
    | { id: string; href: string; startedAt: string; duration: string; clustersScanned: number; clustersTotal: number; complete: boolean }
    | undefined;
  totals: OverviewParts["totals"];
  bySeverity: Array<DigestView["bySeverity"][number] & { href: string }>;
  score: GradedScore;
  subscriptions: Array<ComplianceRowView & { href: string; score: GradedScore }>;
  subscriptionsMore: number;
  clusters: Array<ComplianceRowView & { href: string; score: GradedScore }>;
  clustersMore: number;
  trend: TrendChart;
  notChecked: DigestView["notChecked"];
  notCheckedMore: number;
  coverage: string;
  unscanned: DigestView["unscanned"];
}

const FLEET = { id: "fleet", recipients: [] } as const;

/** What the overview shows of the latest scan, the same for every caller (so it can be kept); `data` is undefined when no scan is stored yet. */
export type OverviewFigures = Omit<OverviewView, "page">;

/** The figures from every open and suppressed finding, through the digest's own view model. */
export function buildOverviewFigures(data: FleetDigestData | undefined, asOf: Date | undefined): OverviewFigures {
  if (data === undefined) return emptyOverview();
  // maxFindings 0: the overview counts and links findings; the findings page lists them.
  const digest = buildDigestView({ ...data, trend: new Map() }, FLEET, {
    maxFindings: 0,
    subscriptionNames: subscriptionNameMap(data.scan.subscriptionNames),
  });
  return consoleFigures(digest, data.clusters, data.scan.id, asOf, true);
}

/** The same figures from the counts the store keeps (FindingsStore.findingCounts): a handful of rows instead of every finding. */
export function buildOverviewFiguresFromCounts(input: OverviewScan, counts: readonly FindingCounts[], asOf: Date | undefined): OverviewFigures {
  const parts = overviewPartsFromCounts(input, counts, subscriptionNameMap(input.scan.subscriptionNames));
  return consoleFigures(parts, input.clusters, input.scan.id, asOf, false);
}

/** The digest's view as the console shows it: console links, graded scores, a drawn chart. */
function consoleFigures(
  digest: OverviewParts,
  clusters: readonly StoredClusterHealth[],
  scanId: string,
  asOf: Date | undefined,
  readEveryFinding: boolean,
): OverviewFigures {
  const clusterIds = new Map(clusters.map((h) => [h.cluster, h.clusterId]));
  return {
    asOf: asOf === undefined ? "" : `${asOf.toISOString().slice(11, 19)} UTC`,
    readEveryFinding,
    scan: {
      id: digest.scan.id,
      href: CONSOLE_LINKS.scan(scanId),
      startedAt: digest.scan.startedAt,
      duration: digest.scan.duration,
      clustersScanned: digest.scan.clustersScanned,
      clustersTotal: digest.scan.clustersTotal,
      complete: digest.scan.complete,
    },
    totals: { open: digest.totals.open, suppressed: digest.totals.suppressed, clusters: digest.totals.clusters, subscriptions: digest.totals.subscriptions },
    bySeverity: digest.bySeverity.map((s) => ({ ...s, href: CONSOLE_LINKS.list({ status: "open", severity: s.severity }) })),
    score: graded(digest.score),
    subscriptions: digest.subscriptions.map((row) => ({
      ...row,
      // Under a display name, the id people paste into az commands.
      subscription: row.subscriptionId !== undefined && row.subscriptionId !== row.name ? row.subscriptionId : "",
      score: graded(row.score),
      href: subscriptionHref(row),
    })),
    subscriptionsMore: digest.subscriptionsMore,
    clusters: digest.clusters.map((row) => ({
      ...row,
      score: graded(row.score),
      href: CONSOLE_LINKS.list({ status: "open", cluster: clusterIds.get(row.name) ?? row.name }),
    })),
    clustersMore: digest.clustersMore,
    trend: trendChart(digest.trend),
    notChecked: digest.notChecked,
    notCheckedMore: digest.notCheckedMore,
    coverage: digest.coverage,
    unscanned: digest.unscanned,
  };
}

/** A subscription row links to its open findings by id, whatever name it shows. */
function subscriptionHref(row: ComplianceRowView): string {
  return row.subscriptionId === undefined || row.subscriptionId === "" ? "" : CONSOLE_LINKS.list({ status: "open", subscription: row.subscriptionId });
}

function graded(score: ScoreView): GradedScore {
  const grade: Grade = !score.known ? "unknown" : score.percent >= 90 ? "good" : score.percent >= 70 ? "fair" : "poor";
  return { ...score, grade };
}

const CHART = { width: 640, height: 220, left: 16, right: 624, top: 24, baseline: 180 } as const;

/** Bars for open findings (scaled to the widest), a line for compliance (the chart's height is 100 %). */
export function trendChart(points: readonly TrendPointView[]): TrendChart {
  const slot = (CHART.right - CHART.left) / Math.max(1, points.length);
  const barWidth = Math.max(8, Math.min(56, slot * 0.6));
  const usable = CHART.baseline - CHART.top;
  const chartPoints = points.map((p, i) => {
    const centre = CHART.left + slot * i + slot / 2;
    const barHeight = Math.round((usable * p.openBar) / 100);
    return {
      label: p.label,
      open: p.open,
      score: p.score,
      current: p.current,
      barX: round(centre - barWidth / 2),
      barY: CHART.baseline - barHeight,
      barWidth: round(barWidth),
      barHeight,
      labelX: round(centre),
      valueY: Math.max(12, CHART.baseline - barHeight - 4),
      labelY: CHART.baseline + 18,
      scoreY: p.scoreBar === 0 ? undefined : round(CHART.baseline - (usable * p.scoreBar) / 100),
    };
  });
  const scored = chartPoints.filter((p) => p.scoreY !== undefined);
  return {
    width: CHART.width,
    height: CHART.height,
    left: CHART.left,
    right: CHART.right,
    baseline: CHART.baseline,
    points: chartPoints,
    scoreLine: scored.length < 2 ? "" : scored.map((p) => `${p.labelX},${p.scoreY}`).join(" "),
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function emptyOverview(): OverviewFigures {
  const unknown: GradedScore = { text: "n/a", percent: 0, known: false, workloads: 0, compliant: 0, color: "#5f6368", grade: "unknown" };
  return {
    asOf: "",
    readEveryFinding: false,
    scan: undefined,
    totals: { open: 0, suppressed: 0, clusters: 0, subscriptions: 0 },
    bySeverity: [],
    score: unknown,
    subscriptions: [],
    subscriptionsMore: 0,
    clusters: [],
    clustersMore: 0,
    trend: trendChart([]),
    notChecked: [],
    notCheckedMore: 0,
    coverage: "",
    unscanned: [],
  };
}
