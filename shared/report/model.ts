/**
 * What every writer reads (SIDE-BY-SIDE (b)3): the scan, its findings with
 * their state, and the catalog, so a writer never looks anything up itself.
 */
import type { CheckMetadata } from "../checks/define.js";
import type { FleetCoverage } from "../coverage/model.js";
import type { Finding, Severity } from "../findings/model.js";
import type { ScanRun } from "../scan/model.js";
import type { AppliedSuppression, FindingStatus } from "../store/model.js";

/**
 * A finding with what is known of its state. A finding straight from a scan
 * has no stored lifecycle: its dates stay absent rather than made up; it is
 * "open" unless a suppression hides it. A stored finding carries all of it.
 */
export type ReportedFinding = Finding & {
  status?: FindingStatus;
  suppression?: AppliedSuppression;
  firstSeenAt?: string;
  lastSeenAt?: string;
  openedAt?: string;
  resolvedAt?: string;
};

export interface ReportInput {
  /** Absent for stored findings queried across scans (`wiscan findings`). */
  scan?: ScanRun;
  /** The scan's fleet-level coverage, check by check (the scan row keeps only its summary). */
  fleetCoverage?: FleetCoverage;
  findings: readonly ReportedFinding[];
  /** Subscription display names by lower-cased id, for stored findings (a scan's own are scan.subscriptionNames). */
  subscriptionNames?: Readonly<Record<string, string>>;
  /** The catalog, for SARIF rules and JUnit suites: every check, not only those that fired. */
  checks: readonly Pick<CheckMetadata, "id" | "title" | "severityRule" | "risk" | "remediation" | "docsUrl" | "controls">[];
  toolVersion: string;
  /** JUnit: findings at or above this severity are failures; absent, every finding is. */
  failOn?: Severity;
  /** Table: terminal width in columns, and whether to colour. */
  width?: number;
  color?: boolean;
}

export function statusOf(f: ReportedFinding): FindingStatus {
  return f.status ?? (f.suppression !== undefined ? "suppressed" : "open");
}

export interface Writer {
  mediaType: string;
  /** File extension (kubescape's FormatOutputExt), for default file names. */
  extension: string;
  write(input: ReportInput): string;
}
