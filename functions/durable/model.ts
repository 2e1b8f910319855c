/**
 * What crosses the Durable boundaries: orchestration inputs and outputs and
 * activity inputs and outputs. Everything here is kept to ids and counts,
 * because each value is written to the orchestration history (and replayed):
 * snapshots, findings and the inventory never travel through it.
 */
import { SEVERITIES, type Severity } from "../../shared/findings/model.js";
import { CLUSTER_SCAN_STATUSES, type ClusterScanStatus, type ScanScope } from "../../shared/scan/model.js";
import type { DeliveryOutcome } from "../../shared/digest/index.js";
import type { ScanRef } from "../../shared/store/model.js";

export const SCAN_TRIGGERS = ["timer", "http"] as const;
export type ScanTrigger = (typeof SCAN_TRIGGERS)[number];

/** Input of the fleet scan orchestration; the scan id is the orchestration's instance id. */
export interface FleetScanInput {
  trigger: ScanTrigger;
  scope: ScanScope;
  /** Whether the digest step delivers the digest (the timer's scan does; an on-demand scan only when asked). */
  sendDigest: boolean;
}

/** Clusters are addressed by their position in the staged inventory's cluster list. */
export interface ClusterRangeInput {
  scan: ScanRef;
  /** First position, inclusive. */
  start: number;
  /** Last position, exclusive. */
  end: number;
}

export interface ScanClusterInput {
  scan: ScanRef;
  index: number;
}

export type SeverityCounts = Record<Severity, number>;

/** What one scan-cluster activity reports back: the findings themselves are already in the store. */
export interface ClusterScanReport {
  clusterId: string;
  status: ClusterScanStatus;
  findings: number;
  bySeverity: SeverityCounts;
  checkFailures: number;
}

export interface RecordClusterFailureInput {
  scan: ScanRef;
  index: number;
  /** Why the last attempt failed, from the orchestration history (already free of secrets: it is an error message). */
  reason: string;
}

/** Counts over a set of clusters; ranges add theirs up the tree. */
export interface ClusterTally {
  clusters: number;
  byStatus: Record<ClusterScanStatus, number>;
  /** Clusters whose scan activity failed on every attempt: recorded as scan.* findings instead. */
  gaveUp: number;
  /** Clusters of which even the failure could not be saved: the scan is then incomplete for them. */
  unsaved: number;
  findings: number;
  bySeverity: SeverityCounts;
  checkFailures: number;
}

export interface InventoryReport {
  /** Clusters selected for this scan, staged in this order. */
  clusters: number;
  subscriptions: number;
  /** Set when there is nothing to scan (no cluster in scope, or a named cluster does not exist). */
  nothingToScan?: string;
}

export interface FleetChecksReport {
  findings: number;
  bySeverity: SeverityCounts;
  checkFailures: number;
}

export interface CompleteScanInput {
  scan: ScanRef;
  trigger: ScanTrigger;
  scope: ScanScope;
  clusters: number;
  tally: ClusterTally;
  fleet: FleetChecksReport;
}

export interface CompleteScanReport {
  complete: boolean;
  clustersScanned: number;
  findings: number;
  bySeverity: SeverityCounts;
}

/** This scan against the state before it: what it found for the first time, found again, and no longer found. */
export interface ScanComparison {
  new: number;
  reopened: number;
  stillOpen: number;
  resolved: number;
}

export interface DigestInput {
  scan: ScanRef;
  sendDigest: boolean;
  comparison: ScanComparison;
  counts: CompleteScanReport;
}

/**
 * sent: every digest of the scan was delivered (now or by an earlier run of the step);
 * stored: rendered and stored but not sent (MAIL_TRANSPORT=none, or nobody to send to);
 * failed: a digest could not be sent and waits in the archive for a resend;
 * skipped: the scan did not ask for a digest.
 */
export const DIGEST_STEP_STATUSES = ["sent", "stored", "failed", "skipped"] as const;
export type DigestStepStatus = (typeof DIGEST_STEP_STATUSES)[number];

export interface DigestReport {
  status: DigestStepStatus;
  reason?: string;
  /** Digests by outcome, one per audience (the fleet, each routed team); absent when skipped. */
  digests?: Record<DeliveryOutcome, number>;
  /** Subject of the first digest (the fleet's, when there is a fleet list). */
  subject?: string;
}

export const SCAN_OUTCOMES = ["completed", "nothing-to-scan"] as const;
export type ScanOutcomeKind = (typeof SCAN_OUTCOMES)[number];

/** The orchestration's output, shown by the status endpoint. */
export interface FleetScanResult {
  scanId: string;
  outcome: ScanOutcomeKind;
  message?: string;
  startedAt: string;
  clusters: number;
  tally?: ClusterTally;
  fleet?: FleetChecksReport;
  summary?: CompleteScanReport;
  comparison?: ScanComparison;
  digest?: DigestReport;
}

/** Progress the orchestration publishes as its custom status. */
export const SCAN_PHASES = ["inventory", "clusters", "fleet-checks", "saving", "comparing", "digest", "cleanup", "done"] as const;
export type ScanPhase = (typeof SCAN_PHASES)[number];
export interface ScanProgress {
  phase: ScanPhase;
  clusters?: number;
}

export function emptySeverityCounts(): SeverityCounts {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
}

export function emptyTally(): ClusterTally {
  return {
    clusters: 0,
    byStatus: Object.fromEntries(CLUSTER_SCAN_STATUSES.map((s) => [s, 0])) as Record<ClusterScanStatus, number>,
    gaveUp: 0,
    unsaved: 0,
    findings: 0,
    bySeverity: emptySeverityCounts(),
    checkFailures: 0,
  };
}

export function addSeverities(a: SeverityCounts, b: SeverityCounts): SeverityCounts {
  const sum = emptySeverityCounts();
  for (const s of SEVERITIES) sum[s] = (a[s] ?? 0) + (b[s] ?? 0);
  return sum;
}

export function addTallies(a: ClusterTally, b: ClusterTally): ClusterTally {
  const byStatus = { ...a.byStatus };
  for (const s of CLUSTER_SCAN_STATUSES) byStatus[s] = (a.byStatus[s] ?? 0) + (b.byStatus[s] ?? 0);
  return {
    clusters: a.clusters + b.clusters,
    byStatus,
    gaveUp: a.gaveUp + b.gaveUp,
    unsaved: a.unsaved + b.unsaved,
    findings: a.findings + b.findings,
    bySeverity: addSeverities(a.bySeverity, b.bySeverity),
    checkFailures: a.checkFailures + b.checkFailures,
  };
}

/** One cluster's report as a tally, so that leaves and branches add up the same way. */
export function tallyOf(report: ClusterScanReport, gaveUp = false): ClusterTally {
  const tally = emptyTally();
  tally.clusters = 1;
  tally.byStatus[report.status] = 1;
  tally.gaveUp = gaveUp ? 1 : 0;
  tally.findings = report.findings;
  tally.bySeverity = addSeverities(tally.bySeverity, report.bySeverity);
  tally.checkFailures = report.checkFailures;
  return tally;
}
