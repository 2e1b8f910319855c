/**
 * Rows as Table Storage holds them. Every string goes through the size limits
 * here, on the way in, so no caller can produce an entity the service refuses.
 * Lower-cased "q*" copies exist only to filter on: ARM ids and GUIDs come
 * back from Azure in varying case, and Table filters compare exactly.
 */
import type { TableEntity } from "@azure/data-tables";
import type { CheckId, Evidence, Finding, Severity } from "../findings/model.js";
import type { ClusterHealth, ClusterScanStatus, ScanRun } from "../scan/model.js";
import type { ClusterCoverage, FleetCoverage } from "../coverage/model.js";
import type { ScanCoverageSummary } from "../coverage/summary.js";
import { encodeKey, KEY_PART, newestFirstKey } from "./keys.js";
import { evidenceJson, MAX_STRING_PROPERTY, MAX_TEXT, truncateText } from "./limits.js";
import type {
  FindingHistoryEntry,
  FindingStatus,
  HistoryEvent,
  HistorySuppression,
  ScanSummary,
  StoredClusterHealth,
  StoredFinding,
  Suppression,
  SuppressionAuditEntry,
  SuppressionAuditEvent,
  SuppressionHistoryEvent,
  SuppressionPattern,
} from "./model.js";

export type Row = TableEntity<Record<string, unknown>>;

// ---- findings (current state and the active view share one shape) ----

/** Partition of the current state: one per cluster, one per subscription for fleet-level findings. */
/** Every cluster's scope starts with this. */
export const CLUSTER_SCOPE_PREFIX = "c|";

export function clusterScope(clusterId: string): string {
  return `${CLUSTER_SCOPE_PREFIX}${encodeKey(clusterId.toLowerCase(), KEY_PART.resourceId)}`;
}

export const TENANT_SCOPE = "f|-";

export function fleetScope(subscriptionId: string | undefined): string {
  return subscriptionId ? `f|${encodeKey(subscriptionId.toLowerCase(), KEY_PART.resourceId)}` : TENANT_SCOPE;
}

/** Row key of a finding in the current state, and of its locator beside its history. */
export function findingRowKey(findingId: string): string {
  return encodeKey(findingId, KEY_PART.findingId);
}

export function checkKey(checkId: string): string {
  return encodeKey(checkId, KEY_PART.checkId);
}

export function activeRowKey(checkId: string, findingId: string): string {
  return `${checkKey(checkId)}|${findingRowKey(findingId)}`;
}

export function findingEntity(f: StoredFinding, scope: string, partitionKey: string, rowKey: string): Row {
  const r = f.resource;
  const text = (s: string | undefined) => (s === undefined ? undefined : truncateText(s, MAX_TEXT));
  return withoutUndefined({
    partitionKey,
    rowKey,
    scope,
    findingId: f.id,
    checkId: f.checkId,
    severity: f.severity,
    title: text(f.title),
    subscriptionId: text(r.subscriptionId),
    resourceGroup: text(r.resourceGroup),
    cluster: text(r.cluster),
    clusterId: text(r.clusterId),
    namespace: text(r.namespace),
    kind: text(r.kind),
    name: text(r.name),
    identityClientId: text(r.identityClientId),
    identityId: text(r.identityId),
    credentialName: text(r.credentialName),
    qSubscription: r.subscriptionId?.toLowerCase(),
    qCluster: r.cluster?.toLowerCase(),
    qClusterId: r.clusterId?.toLowerCase(),
    qIdentity: r.identityClientId?.toLowerCase(),
    evidence: evidenceJson(f.evidence),
    remediationText: text(f.remediation.text),
    remediationCommand: f.remediation.command === undefined ? undefined : truncateText(f.remediation.command, MAX_STRING_PROPERTY),
    docsUrl: text(f.docsUrl),
    controls: truncateText(JSON.stringify(f.controls.slice(0, 100)), MAX_TEXT),
    status: f.status,
    firstSeenAt: new Date(f.firstSeenAt),
    firstSeenScanId: f.firstSeenScanId,
    lastSeenAt: new Date(f.lastSeenAt),
    lastSeenScanId: f.lastSeenScanId,
    openedAt: new Date(f.openedAt),
    openedScanId: f.openedScanId,
    resolvedAt: f.resolvedAt === undefined ? undefined : new Date(f.resolvedAt),
    resolvedScanId: f.resolvedScanId,
    changedAt: new Date(f.changedAt),
    suppressionId: f.suppression?.id,
    suppressionReason: f.suppression === undefined ? undefined : text(f.suppression.reason),
    suppressedBy: f.suppression === undefined ? undefined : text(f.suppression.createdBy),
    suppressedUntil: f.suppression === undefined ? undefined : new Date(f.suppression.expiresAt),
  });
}

export function findingFromEntity(e: Row): StoredFinding {
  const resource = withoutUndefined({
    subscriptionId: optString(e, "subscriptionId"),
    resourceGroup: optString(e, "resourceGroup"),
    cluster: optString(e, "cluster"),
    clusterId: optString(e, "clusterId"),
    namespace: optString(e, "namespace"),
    kind: string(e, "kind"),
    name: string(e, "name"),
    identityClientId: optString(e, "identityClientId"),
    identityId: optString(e, "identityId"),
    credentialName: optString(e, "credentialName"),
  }) as Finding["resource"];
  const command = optString(e, "remediationCommand");
  const suppressionId = optString(e, "suppressionId");
  const resolvedAt = optDate(e, "resolvedAt");
  const resolvedScanId = optString(e, "resolvedScanId");
  return {
    id: string(e, "findingId"),
    checkId: string(e, "checkId") as CheckId,
    severity: string(e, "severity") as Severity,
    title: string(e, "title"),
    resource,
    evidence: JSON.parse(string(e, "evidence")) as Evidence,
    remediation: { text: string(e, "remediationText"), ...(command !== undefined && { command }) },
    docsUrl: string(e, "docsUrl"),
    controls: JSON.parse(string(e, "controls")) as string[],
    status: string(e, "status") as FindingStatus,
    firstSeenAt: date(e, "firstSeenAt"),
    firstSeenScanId: string(e, "firstSeenScanId"),
    lastSeenAt: date(e, "lastSeenAt"),
    lastSeenScanId: string(e, "lastSeenScanId"),
    openedAt: date(e, "openedAt"),
    openedScanId: string(e, "openedScanId"),
    ...(resolvedAt !== undefined && { resolvedAt }),
    ...(resolvedScanId !== undefined && { resolvedScanId }),
    changedAt: date(e, "changedAt"),
    ...(suppressionId !== undefined && {
      suppression: {
        id: suppressionId,
        reason: string(e, "suppressionReason"),
        createdBy: string(e, "suppressedBy"),
        expiresAt: date(e, "suppressedUntil"),
      },
    }),
  };
}

// ---- history ----

/**
 * One row per scan that saw (or resolved) a finding. The row key starts with
 * the finding id, then the scan's start time, so a finding's history is one
 * range of one partition, oldest first.
 */
export function historyRowKey(findingId: string, at: string, scanId: string): string {
  return `${findingRowKey(findingId)}|${at}|${encodeKey(scanId, KEY_PART.scanId)}`;
}

export function historyEntity(
  partitionKey: string,
  f: Pick<StoredFinding, "id" | "severity">,
  scanId: string,
  at: string,
  event: HistoryEvent,
  status: FindingStatus,
  scope: string,
  suppression?: HistorySuppression,
): Row {
  return {
    partitionKey,
    rowKey: historyRowKey(f.id, at, scanId),
    findingId: f.id,
    scanId,
    at: new Date(at),
    event,
    status,
    severity: f.severity,
    scope,
    ...(suppression !== undefined && historySuppressionProperties(suppression)),
  };
}

/**
 * A suppression event in a finding's history. It sorts among the scan rows by
 * its time; the key ends with the event and the suppression instead of a scan
 * id, so the same event written twice (a retry, two scans noticing one expiry)
 * is one row.
 */
export function suppressionHistoryEntity(
  partitionKey: string,
  f: Pick<StoredFinding, "id" | "severity">,
  at: string,
  event: SuppressionHistoryEvent,
  status: FindingStatus,
  scope: string,
  suppression: HistorySuppression,
): Row {
  return {
    partitionKey,
    rowKey: historyRowKey(f.id, at, `${event}:${suppression.id}`),
    findingId: f.id,
    at: new Date(at),
    event,
    status,
    severity: f.severity,
    scope,
    ...historySuppressionProperties(suppression),
  };
}

function historySuppressionProperties(s: HistorySuppression): Record<string, unknown> {
  return withoutUndefined({
    suppressionId: s.id,
    suppressedBy: truncateText(s.createdBy, MAX_TEXT),
    suppressionReason: truncateText(s.reason, MAX_TEXT),
    suppressedUntil: new Date(s.expiresAt),
    liftedBy: s.liftedBy === undefined ? undefined : truncateText(s.liftedBy, MAX_TEXT),
    liftReason: s.liftReason === undefined ? undefined : truncateText(s.liftReason, MAX_TEXT),
  });
}

/** Where a finding's current state lives; kept beside its history and never removed by retention. */
export function locatorEntity(partitionKey: string, findingId: string, scope: string): Row {
  return { partitionKey, rowKey: findingRowKey(findingId), findingId, scope };
}

export function historyFromEntity(e: Row): FindingHistoryEntry {
  const scanId = optString(e, "scanId");
  const suppressionId = optString(e, "suppressionId");
  const liftedBy = optString(e, "liftedBy");
  const liftReason = optString(e, "liftReason");
  return {
    ...(scanId !== undefined && { scanId }),
    at: date(e, "at"),
    event: string(e, "event") as HistoryEvent,
    status: string(e, "status") as FindingStatus,
    severity: string(e, "severity") as Severity,
    ...(suppressionId !== undefined && {
      suppression: {
        id: suppressionId,
        createdBy: string(e, "suppressedBy"),
        reason: string(e, "suppressionReason"),
        expiresAt: date(e, "suppressedUntil"),
        ...(liftedBy !== undefined && { liftedBy }),
        ...(liftReason !== undefined && { liftReason }),
      },
    }),
  };
}

// ---- scans ----

export const SCAN_PARTITION = "scan";

export function scanRowKey(scanId: string, startedAt: string): string {
  return `${newestFirstKey(new Date(startedAt))}|${encodeKey(scanId, KEY_PART.scanId)}`;
}

export function scanDetailsPartition(scanId: string): string {
  return `scan|${encodeKey(scanId, KEY_PART.scanId)}`;
}

export const FLEET_MARKER_ROW = "fleet";

export function clusterHealthRowKey(clusterId: string): string {
  return `cluster|${encodeKey(clusterId.toLowerCase(), KEY_PART.resourceId)}`;
}

export function scanEntity(run: ScanRun): Row {
  return withoutUndefined({
    partitionKey: SCAN_PARTITION,
    rowKey: scanRowKey(run.id, run.startedAt),
    scanId: run.id,
    startedAt: new Date(run.startedAt),
    finishedAt: run.finishedAt === undefined ? undefined : new Date(run.finishedAt),
    trigger: run.trigger,
    tenantId: run.tenantId,
    complete: run.complete,
    scope: jsonWithin(run.scope),
    subscriptions: jsonListWithin(run.subscriptions),
    counts: JSON.stringify(run.counts),
    requests: JSON.stringify(run.requests),
    durationMs: run.durationMs,
    ...(run.coverage !== undefined && chunkedJson(COVERAGE_PROPERTY, run.coverage)),
    ...(run.subscriptionNames !== undefined && chunkedJson(SUBSCRIPTION_NAMES_PROPERTY, run.subscriptionNames)),
  });
}

export function scanFromEntity(e: Row): ScanSummary {
  const finishedAt = optDate(e, "finishedAt");
  return {
    id: string(e, "scanId"),
    startedAt: date(e, "startedAt"),
    ...(finishedAt !== undefined && { finishedAt }),
    trigger: string(e, "trigger") as ScanSummary["trigger"],
    tenantId: string(e, "tenantId"),
    complete: e["complete"] === true,
    scope: JSON.parse(string(e, "scope")) as ScanSummary["scope"],
    subscriptions: JSON.parse(string(e, "subscriptions")) as string[],
    counts: JSON.parse(string(e, "counts")) as ScanSummary["counts"],
    requests: JSON.parse(string(e, "requests")) as ScanSummary["requests"],
    durationMs: Number(e["durationMs"] ?? 0),
    ...optionalCoverage<ScanCoverageSummary>(e),
    ...optionalSubscriptionNames(e),
  };
}

export function clusterHealthEntity(scanId: string, startedAt: string, h: ClusterHealth, findingsSaved?: boolean): Row {
  return withoutUndefined({
    partitionKey: scanDetailsPartition(scanId),
    rowKey: clusterHealthRowKey(h.clusterId),
    startedAt: new Date(startedAt),
    clusterId: truncateText(h.clusterId, MAX_TEXT),
    cluster: truncateText(h.cluster, MAX_TEXT),
    subscriptionId: h.subscriptionId,
    resourceGroup: truncateText(h.resourceGroup, MAX_TEXT),
    status: h.status,
    reason: h.reason === undefined ? undefined : truncateText(h.reason, MAX_TEXT),
    accessPath: h.accessPath,
    durationMs: h.durationMs,
    requests: h.requests,
    findings: h.findings,
    podsSeen: h.podsSeen,
    workloadIdentityPods: h.workloadIdentityPods,
    findingsSaved,
    ...(h.coverage !== undefined && chunkedJson(COVERAGE_PROPERTY, h.coverage)),
  });
}

export function clusterHealthFromEntity(e: Row): StoredClusterHealth {
  const reason = optString(e, "reason");
  return {
    clusterId: string(e, "clusterId"),
    cluster: string(e, "cluster"),
    subscriptionId: string(e, "subscriptionId"),
    resourceGroup: string(e, "resourceGroup"),
    status: string(e, "status") as ClusterScanStatus,
    ...(reason !== undefined && { reason }),
    accessPath: string(e, "accessPath") as ClusterHealth["accessPath"],
    durationMs: Number(e["durationMs"] ?? 0),
    requests: Number(e["requests"] ?? 0),
    findings: Number(e["findings"] ?? 0),
    podsSeen: Number(e["podsSeen"] ?? 0),
    workloadIdentityPods: Number(e["workloadIdentityPods"] ?? 0),
    findingsSaved: e["findingsSaved"] === true,
    ...optionalCoverage<ClusterCoverage>(e),
  };
}

export function fleetMarkerEntity(scanId: string, startedAt: string, findings: number, coverage: FleetCoverage | undefined): Row {
  return {
    partitionKey: scanDetailsPartition(scanId),
    rowKey: FLEET_MARKER_ROW,
    startedAt: new Date(startedAt),
    findings,
    findingsSaved: true,
    ...(coverage !== undefined && chunkedJson(COVERAGE_PROPERTY, coverage)),
  };
}

/** The fleet coverage a fleet marker row holds; undefined for rows written before coverage was recorded. */
export function fleetCoverageFromEntity(e: Row): FleetCoverage | undefined {
  return optionalCoverage<FleetCoverage>(e).coverage;
}

const COVERAGE_PROPERTY = "coverage";
/** An entity holds at most 1 MiB: 24 parts of 30,000 UTF-16 units stay well under it with the other properties. */
const MAX_JSON_PARTS = 24;

/**
 * A JSON value across as many string properties as it needs (name, name1,
 * name2, ...), since one property holds 64 KiB and coverage of a cluster
 * with many forbidden namespaces can be larger. A value too large for one
 * entity is not stored at all: absent coverage proves nothing, a cut one would.
 */
function chunkedJson(name: string, value: unknown): Record<string, string | number> {
  const json = JSON.stringify(value);
  const parts = Math.ceil(json.length / MAX_STRING_PROPERTY);
  if (parts > MAX_JSON_PARTS) return {};
  const out: Record<string, string | number> = { [`${name}Parts`]: parts };
  for (let i = 0; i < parts; i++) out[i === 0 ? name : `${name}${i}`] = json.slice(i * MAX_STRING_PROPERTY, (i + 1) * MAX_STRING_PROPERTY);
  return out;
}

function readChunkedJson(e: Row, name: string): unknown {
  const parts = Number(e[`${name}Parts`] ?? 0);
  if (!Number.isInteger(parts) || parts < 1 || parts > MAX_JSON_PARTS) return undefined;
  let json = "";
  for (let i = 0; i < parts; i++) {
    const part = e[i === 0 ? name : `${name}${i}`];
    if (typeof part !== "string") return undefined;
    json += part;
  }
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

const SUBSCRIPTION_NAMES_PROPERTY = "subscriptionNames";

/** Names are display only: a row whose names are not a string map simply has none. */
function optionalSubscriptionNames(e: Row): { subscriptionNames?: Record<string, string> } {
  const names = readChunkedJson(e, SUBSCRIPTION_NAMES_PROPERTY);
  if (names === null || typeof names !== "object" || Array.isArray(names)) return {};
  const kept = Object.entries(names as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === "string");
  return { subscriptionNames: Object.fromEntries(kept) };
}

function optionalCoverage<T>(e: Row): { coverage?: T } {
  const coverage = readChunkedJson(e, COVERAGE_PROPERTY);
  return coverage === undefined || coverage === null ? {} : { coverage: coverage as T };
}

// ---- suppressions ----

/** The Suppressions table holds the suppressions (tombstones included) in one partition, and their audit log in another. */
export const SUPPRESSION_PARTITION = "suppression";
export const SUPPRESSION_AUDIT_PARTITION = "audit";

export function suppressionEntity(s: Suppression): Row {
  return withoutUndefined({
    partitionKey: SUPPRESSION_PARTITION,
    rowKey: encodeKey(s.id),
    suppressionId: s.id,
    checkId: s.checkId,
    ...patternProperties(s.pattern),
    fleetWide: s.fleetWide === true,
    reason: truncateText(s.reason, MAX_TEXT),
    createdBy: truncateText(s.createdBy, MAX_TEXT),
    createdById: truncateText(s.createdById, MAX_TEXT),
    createdAt: new Date(s.createdAt),
    expiresAt: new Date(s.expiresAt),
    ...(s.lifted !== undefined && liftProperties(s.lifted)),
  });
}

/** What lifting adds to a suppression's row: it becomes a tombstone, never deleted. */
export function liftProperties(lift: NonNullable<Suppression["lifted"]>): Record<string, unknown> {
  return {
    liftedBy: truncateText(lift.by, MAX_TEXT),
    liftedById: truncateText(lift.byId, MAX_TEXT),
    liftedAt: new Date(lift.at),
    liftReason: truncateText(lift.reason, MAX_TEXT),
  };
}

export function suppressionFromEntity(e: Row): Suppression {
  const liftedAt = optDate(e, "liftedAt");
  return {
    id: string(e, "suppressionId"),
    checkId: string(e, "checkId") as CheckId,
    pattern: patternFromEntity(e),
    ...(e["fleetWide"] === true && { fleetWide: true }),
    reason: string(e, "reason"),
    createdBy: string(e, "createdBy"),
    // Rows written before callers were authenticated have no object id.
    createdById: optString(e, "createdById") ?? "",
    createdAt: date(e, "createdAt"),
    expiresAt: date(e, "expiresAt"),
    ...(liftedAt !== undefined && {
      lifted: { by: string(e, "liftedBy"), byId: optString(e, "liftedById") ?? "", at: liftedAt, reason: optString(e, "liftReason") ?? "" },
    }),
  };
}

/**
 * One audit row: key = suppression, time, event, so a suppression's trail is
 * one range, oldest first, and an expiry noticed twice is written once.
 */
export function suppressionAuditEntity(a: SuppressionAuditEntry): Row {
  return withoutUndefined({
    partitionKey: SUPPRESSION_AUDIT_PARTITION,
    rowKey: `${encodeKey(a.suppressionId, KEY_PART.scanId)}|${a.at}|${a.event}`,
    suppressionId: a.suppressionId,
    event: a.event,
    at: new Date(a.at),
    by: truncateText(a.by, MAX_TEXT),
    byId: truncateText(a.byId, MAX_TEXT),
    reason: truncateText(a.reason, MAX_TEXT),
    checkId: a.checkId,
    ...patternProperties(a.pattern),
    fleetWide: a.fleetWide,
    expiresAt: new Date(a.expiresAt),
    recordedAt: a.recordedAt === undefined ? undefined : new Date(a.recordedAt),
  });
}

export function suppressionAuditFromEntity(e: Row): SuppressionAuditEntry {
  const recordedAt = optDate(e, "recordedAt");
  return {
    suppressionId: string(e, "suppressionId"),
    event: string(e, "event") as SuppressionAuditEvent,
    at: date(e, "at"),
    by: string(e, "by"),
    byId: optString(e, "byId") ?? "",
    reason: string(e, "reason"),
    checkId: string(e, "checkId") as CheckId,
    pattern: patternFromEntity(e),
    fleetWide: e["fleetWide"] === true,
    expiresAt: date(e, "expiresAt"),
    ...(recordedAt !== undefined && { recordedAt }),
  };
}

function patternProperties(p: SuppressionPattern): Record<string, unknown> {
  return withoutUndefined({
    subscription: p.subscription,
    cluster: p.cluster,
    namespace: p.namespace,
    name: p.name,
    identity: p.identity,
  });
}

function patternFromEntity(e: Row): SuppressionPattern {
  return withoutUndefined({
    subscription: optString(e, "subscription"),
    cluster: optString(e, "cluster"),
    namespace: optString(e, "namespace"),
    name: optString(e, "name"),
    identity: optString(e, "identity"),
  });
}

// ---- helpers ----

/** A JSON value that fits one property; lists that would not fit are cut and say so. */
function jsonWithin(value: unknown): string {
  const json = JSON.stringify(value);
  return json.length <= MAX_STRING_PROPERTY ? json : JSON.stringify({ truncated: true });
}

function jsonListWithin(list: readonly string[]): string {
  const kept: string[] = [];
  let length = 2;
  for (const item of list) {
    length += JSON.stringify(item).length + 1;
    if (length > MAX_STRING_PROPERTY - 100) {
      kept.push(`…and ${list.length - kept.length} more`);
      break;
    }
    kept.push(item);
  }
  return JSON.stringify(kept);
}

function withoutUndefined<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

function string(e: Row, key: string): string {
  const v = e[key];
  if (typeof v !== "string") throw new StoredRowError(e, key);
  return v;
}

function optString(e: Row, key: string): string | undefined {
  const v = e[key];
  return typeof v === "string" ? v : undefined;
}

function date(e: Row, key: string): string {
  const v = optDate(e, key);
  if (v === undefined) throw new StoredRowError(e, key);
  return v;
}

function optDate(e: Row, key: string): string | undefined {
  const v = e[key];
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "string" && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
  return undefined;
}

/** A stored row lacks a property this version writes: written by something else, or corrupted. */
export class StoredRowError extends Error {
  override readonly name = "StoredRowError";
  constructor(e: Row, key: string) {
    super(`stored row ${e.partitionKey}/${e.rowKey} has no valid "${key}"`);
  }
}
