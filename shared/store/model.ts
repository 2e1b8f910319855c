/**
 * What the findings store keeps and answers: a finding with its lifecycle,
 * its history, scans with per-cluster health, and suppressions.
 */
import type { CheckId, Finding, Severity } from "../findings/model.js";
import type { ClusterHealth, ScanRun } from "../scan/model.js";
import type { FleetCoverage } from "../coverage/model.js";
import type { AppliedSuppression } from "../suppressions/model.js";

export type {
  AppliedSuppression,
  NewSuppression,
  Suppression,
  SuppressionAuditEntry,
  SuppressionAuditEvent,
  SuppressionLift,
  SuppressionPattern,
  SuppressionState,
} from "../suppressions/model.js";

/** Stored lifecycle of a finding. Suppressed findings are kept and shown, never deleted. */
export const FINDING_STATUSES = ["open", "resolved", "suppressed"] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** The scan a save belongs to: its id and the time it started, which dates every row it writes. */
export interface ScanRef {
  id: string;
  startedAt: string;
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

export const SCAN_HISTORY_EVENTS = ["new", "seen", "reopened", "resolved"] as const;
export const SUPPRESSION_HISTORY_EVENTS = ["suppressed", "suppression-lifted", "suppression-expired"] as const;
export const HISTORY_EVENTS = [...SCAN_HISTORY_EVENTS, ...SUPPRESSION_HISTORY_EVENTS] as const;
/**
 * Scans: new (first sighting), seen (still there), reopened (back after being
 * resolved), resolved (absent where the scan covered it). Suppressions:
 * suppressed (a suppression created now hides it), suppression-lifted
 * (someone lifted the one hiding it), suppression-expired (the one hiding it
 * expired; dated at the expiry, written when the store noticed).
 */
export type HistoryEvent = (typeof HISTORY_EVENTS)[number];
export type ScanHistoryEvent = (typeof SCAN_HISTORY_EVENTS)[number];
export type SuppressionHistoryEvent = (typeof SUPPRESSION_HISTORY_EVENTS)[number];

/** The suppression a history entry concerns: who suppressed, why, until when, and who lifted it. */
export interface HistorySuppression {
  id: string;
  createdBy: string;
  reason: string;
  expiresAt: string;
  liftedBy?: string;
  liftReason?: string;
}

export interface FindingHistoryEntry {
  /** The scan of a scan event; absent for suppression events, which no scan makes. */
  scanId?: string;
  at: string;
  event: HistoryEvent;
  /** The finding's status after the event. */
  status: FindingStatus;
  severity: Severity;
  /** Suppression events, and scan events of a suppressed finding: the suppression involved. */
  suppression?: HistorySuppression;
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
