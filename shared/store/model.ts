/**
 * What the findings store keeps and answers: a finding with its lifecycle,
 * its history, scans with per-cluster health, and suppressions.
 */
import type { CheckId, Finding, Severity } from "../findings/model.js";
import type { ClusterHealth, ScanRun } from "../scan/model.js";
import type { FleetCoverage } from "../coverage/model.js";

/** Stored lifecycle of a finding. Suppressed findings are kept and shown, never deleted. */
export const FINDING_STATUSES = ["open", "resolved", "suppressed"] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** The scan a save belongs to: its id and the time it started, which dates every row it writes. */
export interface ScanRef {
  id: string;
  startedAt: string;
}

export interface AppliedSuppression {
  id: string;
  reason: string;
  createdBy: string;
  expiresAt: string;
}

/** A finding as the store knows it now. */
export interface StoredFinding extends Finding {
  /** As of the moment of the query: a suppression that expired shows as open. */
  status: FindingStatus;
  firstSeenAt: string;
  firstSeenScanId: string;
  lastSeenAt: string;
  lastSeenScanId: string;
  /** Start of the current open period: the first sighting, or the scan that reopened it. */
  openedAt: string;
  openedScanId: string;
  resolvedAt?: string;
  resolvedScanId?: string;
  /** When the status last changed through a scan (opened, reopened or resolved). */
  changedAt: string;
  suppression?: AppliedSuppression;
}

export const HISTORY_EVENTS = ["new", "seen", "reopened", "resolved"] as const;
/** new: first sighting; seen: still there; reopened: back after being resolved; resolved: absent from a complete scan. */
export type HistoryEvent = (typeof HISTORY_EVENTS)[number];

export interface FindingHistoryEntry {
  scanId: string;
  at: string;
  event: HistoryEvent;
  status: FindingStatus;
  severity: Severity;
}

export interface FindingWithHistory {
  finding: StoredFinding;
  /** Oldest first; scans older than the retention period are gone. */
  history: FindingHistoryEntry[];
}

/** A scan as listed: the run without its clusters. */
export type ScanSummary = Omit<ScanRun, "clusters">;

export interface StoredClusterHealth extends ClusterHealth {
  /** False when the scan reported the cluster but its findings never reached the store; nothing is resolved then. */
  findingsSaved: boolean;
}

export interface ScanDetails {
  scan: ScanSummary;
  clusters: StoredClusterHealth[];
  /** Whether fleet-level findings (identities, app registrations) were saved for this scan. */
  fleetFindingsSaved: boolean;
  /** What the fleet-level checks covered, when they were saved. */
  fleetCoverage?: FleetCoverage;
}

/** A resource pattern: every given field must match; "*" in a value matches any run of characters. */
export interface SuppressionPattern {
  subscription?: string;
  /** Cluster name or ARM id. */
  cluster?: string;
  namespace?: string;
  name?: string;
}

export interface NewSuppression {
  checkId: CheckId;
  pattern: SuppressionPattern;
  reason: string;
  createdBy: string;
  expiresAt: string;
}

export interface Suppression extends NewSuppression {
  id: string;
  createdAt: string;
}

export const STATUS_FILTERS = ["open", "resolved", "suppressed", "all"] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export interface FindingQuery {
  status: StatusFilter;
  severity?: Severity;
  checkId?: CheckId;
  subscription?: string;
  /** Cluster name or ARM id. */
  cluster?: string;
  namespace?: string;
  /** Client id of the identity involved. */
  identity?: string;
  /** Only findings whose status changed (new, reopened, resolved) at or after this time. */
  since?: Date;
}

export interface PageRequest {
  pageSize: number;
  continuationToken?: string;
}

export interface Page<T> {
  items: T[];
  /** Pass back to get the next page; absent on the last page. */
  continuationToken?: string;
}

/** How a saved scan changed the state of findings. */
export interface ScanChanges {
  new: number;
  reopened: number;
  resolved: number;
}

export interface SaveResult {
  findings: number;
  /** Requests to the service: transactions, or single writes in "single" mode. */
  requests: number;
  /** Rows written or deleted, in every table. */
  rows: number;
}

export interface CleanupResult {
  scans: number;
  rows: number;
}
