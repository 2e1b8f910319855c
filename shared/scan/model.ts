/**
 * A scan as the engine reports it: which clusters were scanned, how each went,
 * and how long it took. Findings travel beside it, never inside it.
 */
import type { ClusterCoverage } from "../coverage/model.js";
import type { ScanCoverageSummary } from "../coverage/summary.js";
import type { RequestCounts } from "../inventory/model.js";

export const CLUSTER_SCAN_STATUSES = ["ok", "partial", "unreachable", "forbidden", "error"] as const;
/** ok: everything read; partial: some reads failed (see errors); the rest: nothing useful could be read. */
export type ClusterScanStatus = (typeof CLUSTER_SCAN_STATUSES)[number];

export interface ClusterHealth {
  clusterId: string;
  cluster: string;
  subscriptionId: string;
  resourceGroup: string;
  status: ClusterScanStatus;
  /** Why, in one line, when status is not "ok". */
  reason?: string;
  accessPath: "direct" | "run-command" | "none";
  durationMs: number;
  requests: number;
  findings: number;
  /** Pods seen and pods that use workload identity, for the compliance score. */
  podsSeen: number;
  workloadIdentityPods: number;
  /** Which checks were evaluated completely on this cluster; absent only in rows stored before coverage was recorded. */
  coverage?: ClusterCoverage;
}

export interface ScanScope {
  subscriptions: string[];
  managementGroups: string[];
  /** Cluster names or resource ids; empty means every cluster in scope. */
  clusters: string[];
}

export interface ScanRun {
  /** Unique per scan; sortable by time when produced by newScanId(). */
  id: string;
  startedAt: string;
  finishedAt?: string;
  trigger: "timer" | "http" | "cli" | "demo";
  scope: ScanScope;
  tenantId: string;
  subscriptions: string[];
  /**
   * Display names of the subscriptions, by lower-case id, as Resource Graph
   * returned them (bounded by subscriptionNamesOf). Pages and reports read
   * names from here because the store keeps no inventory. Absent in older scans.
   */
  subscriptionNames?: Record<string, string>;
  /** True when every cluster in scope was scanned completely and no check was left out or failed (coverage has the detail). */
  complete: boolean;
  /** What the scan evaluated completely and what it did not, with why. Absent in scans stored before it was recorded. */
  coverage?: ScanCoverageSummary;
  clusters: ClusterHealth[];
  counts: {
    clusters: number;
    clustersScanned: number;
    findings: number;
    bySeverity: Record<"high" | "medium" | "low" | "info", number>;
  };
  requests: RequestCounts;
  durationMs: number;
}
