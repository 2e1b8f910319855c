/**
 * The digest's inputs (gathered from the store), its audience, and the view
 * model the templates render. Templates only lay out what the view model
 * holds: every count, label, percentage and link is computed before rendering.
 */
import type { Severity } from "../findings/model.js";
import type { ScanSummary, StoredClusterHealth, StoredFinding } from "../store/model.js";
import type { Suppression } from "../suppressions/model.js";
import type { RefusedRoute } from "./routing.js";

/** A score or count from an earlier digest of the same audience, for the trend. */
export interface TrendRecord {
  scanId: string;
  scanStartedAt: string;
  open: number;
  /** Whole percent, absent when there was nothing to score. */
  scorePercent?: number;
}

/** Everything a digest is built from, read from the store in one place (gather.ts). */
export interface DigestData {
  scan: ScanSummary;
  clusters: StoredClusterHealth[];
  /** The scan the digest compares with; absent for the first scan. */
  previousScan?: ScanSummary;
  /** Up to seven scans before this one, oldest first. */
  earlierScans: ScanSummary[];
  /** Open findings now. */
  open: StoredFinding[];
  /** Findings resolved since the previous scan started. */
  resolved: StoredFinding[];
  /** Suppressed findings now. */
  suppressed: StoredFinding[];
  /** Active suppressions expiring within EXPIRY_NOTICE_DAYS of the scan's end, soonest first (absent: none known). */
  expiringSuppressions?: Suppression[];
  /** Earlier digests of this audience, by scan id (from the digest archive). */
  trend: ReadonlyMap<string, TrendRecord>;
}

/** Who a digest is for: the whole fleet, or the subscriptions routed to a team. */
export interface DigestAudience {
  /** Stable across scans: "fleet", or "subs-" + a hash of the subscription set. */
  id: string;
  /** Absent for the whole fleet. */
  subscriptions?: readonly string[];
  recipients: readonly string[];
}

export interface DigestOptions {
  /** DIGEST_MAX_FINDINGS: findings shown in detail; the rest are counted and linked. */
  maxFindings: number;
  /** FINDINGS_API_BASE_URL: links to the findings API; without it the digest has no links. */
  findingsApiBaseUrl?: string;
  /** Display names of subscriptions, when the caller knows them (the inventory does). */
  subscriptionNames?: ReadonlyMap<string, string>;
  /** Routing-tag entries that received nothing; given for the fleet digest only. */
  refusedRoutes?: readonly RefusedRoute[];
}

/** The rendered digest, as stored and sent. */
export interface Digest {
  subject: string;
  html: string;
  text: string;
  /** UTF-8 bytes of subject, HTML and text together: what the email weighs before MIME encoding. */
  sizeBytes: number;
  /** Findings shown in detail: maxFindings, or fewer when that many would not fit the size bound. */
  detailedFindings: number;
  /** The numbers of this digest, kept with it for the next digests' trend. */
  summary: TrendRecord;
}

// ------------------------------------------------------------------ view model

export interface SeverityCountView {
  severity: Severity;
  label: string;
  count: number;
  color: string;
}

export interface ScoreView {
  /** "87%" or "n/a". */
  text: string;
  /** 0-100, for bar widths; 0 when unknown. */
  percent: number;
  known: boolean;
  workloads: number;
  compliant: number;
  /** Colour of the score: green, amber or red. */
  color: string;
}

export interface EvidenceView {
  key: string;
  value: string;
}

export interface FindingView {
  id: string;
  severity: Severity;
  severityLabel: string;
  severityColor: string;
  isNew: boolean;
  checkId: string;
  title: string;
  /** Subscription, cluster, namespace and object in one line. */
  location: string;
  identity: string;
  evidence: EvidenceView[];
  remediationText: string;
  remediationCommand: string;
  /** Which shell remediationCommand is for (checks/command-forms.ts). */
  remediationShell: string;
  controls: string;
  detailsUrl: string;
  docsUrl: string;
  openedAt: string;
}

export interface ClusterGroupView {
  cluster: string;
  findings: FindingView[];
}

export interface SubscriptionGroupView {
  subscription: string;
  clusters: ClusterGroupView[];
}

export interface ResolvedView {
  severityLabel: string;
  severityColor: string;
  checkId: string;
  title: string;
  location: string;
}

export interface ComplianceRowView {
  name: string;
  /** The subscription of a cluster row. */
  subscription: string;
  /** The id of a subscription row (its name may be a display name): links filter on it. */
  subscriptionId?: string;
  score: ScoreView;
  open: number;
  high: number;
  /** Controls evidenced by its open findings, e.g. "MCSB IM-3, MCSB PA-7". */
  controls: string;
  status: string;
}

export interface ControlView {
  control: string;
  open: number;
  high: number;
  checks: string;
}

export interface TrendPointView {
  label: string;
  open: string;
  /** Bar width in percent of the widest bar, at least 1 so the cell renders. */
  openBar: number;
  score: string;
  scoreBar: number;
  current: boolean;
}

export interface IdentityRiskView {
  identity: string;
  subscription: string;
  reasons: string;
  high: number;
  findings: number;
  detailsUrl: string;
}

export interface UnscannedClusterView {
  cluster: string;
  subscription: string;
  status: string;
  reason: string;
  /** What to do: the permission to grant, or how to reach the API server. */
  fixText: string;
  fixCommand: string;
  /** Which shell fixCommand is for. */
  fixShell: string;
}

export interface MoreView {
  count: number;
  url: string;
}

export interface NotCheckedView {
  where: string;
  reason: string;
  checks: string;
  detail: string;
  /** A person must act (grant, fix, reach), rather than a narrowing or setting someone chose. */
  actionable: boolean;
}

export interface RefusedRouteView {
  subscription: string;
  /** The refused address's domain ("" for an entry that is not an address). */
  domain: string;
  reason: string;
}

export interface ExpiringSuppressionView {
  checkId: string;
  /** What the pattern names, e.g. "cluster aks-prod-*, namespace batch", or "fleet-wide". */
  scope: string;
  createdBy: string;
  reason: string;
  expiresAt: string;
  /** The findings it hides now: a count and the first few. */
  hides: string;
}

export interface DigestView {
  subject: string;
  /** One line shown by mail clients after the subject. */
  preheader: string;
  audienceLabel: string;
  scan: {
    id: string;
    startedAt: string;
    duration: string;
    clustersScanned: number;
    clustersTotal: number;
    complete: boolean;
    url: string;
  };
  previousScan: { id: string; startedAt: string } | undefined;
  totals: {
    open: number;
    new: number;
    newHigh: number;
    resolved: number;
    suppressed: number;
    clusters: number;
    subscriptions: number;
  };
  bySeverity: SeverityCountView[];
  score: ScoreView;
  subscriptions: ComplianceRowView[];
  subscriptionsMore: number;
  clusters: ComplianceRowView[];
  clustersMore: number;
  controls: ControlView[];
  trend: TrendPointView[];
  newFindings: FindingView[];
  newMore: MoreView | undefined;
  openGroups: SubscriptionGroupView[];
  openMore: MoreView | undefined;
  resolved: ResolvedView[];
  resolvedMore: MoreView | undefined;
  identities: IdentityRiskView[];
  unscanned: UnscannedClusterView[];
  unscannedMore: number;
  /** What the scan did not check and why (coverage gaps), so a quiet week is not mistaken for a clean one. */
  notChecked: NotCheckedView[];
  notCheckedMore: number;
  /** e.g. "97.4 %" of (cluster, check) pairs evaluated completely; empty for scans stored before coverage was recorded. */
  coverage: string;
  slowest: Array<{ cluster: string; duration: string }>;
  /** Suppressions expiring within a week: who, why, when, what they hide. */
  expiringSuppressions: ExpiringSuppressionView[];
  expiringSuppressionsMore: number;
  /** Routing-tag entries that received nothing and why (fleet digest only), so an owner's tag can be fixed. */
  refusedRoutes: RefusedRouteView[];
  refusedRoutesMore: number;
  links: { openFindings: string; highFindings: string; scans: string } | undefined;
}
