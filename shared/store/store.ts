/**
 * The findings store on Table Storage. Five tables:
 *
 * | table          | PartitionKey                    | RowKey                          | holds                                  |
 * |----------------|---------------------------------|---------------------------------|----------------------------------------|
 * | Scans          | "scan"                          | newest-first time + scan id     | one row per finished scan              |
 * |                | "scan|" + scan id               | "cluster|" + cluster id, "fleet"| per-cluster health, fleet marker       |
 * |                | "counts"                        | scope                           | open/suppressed counts (counts.ts)     |
 * | Findings       | "c|" + cluster id / "f|" + sub  | finding id                      | current state of every finding         |
 * | ActiveFindings | severity                        | check id + "|" + finding id     | copy of open and suppressed findings   |
 * | FindingHistory | "h00".."h15" (hash of id)       | finding id + "|" + time + scan  | one row per scan that saw or resolved  |
 * |                |                                 | finding id                      | locator: the finding's partition       |
 * | Suppressions   | "suppression"                   | suppression id                  | suppressions, lifted ones as tombstones|
 * |                | "audit"                         | suppression id + time + event   | the suppression audit log              |
 *
 * Writes go history first, then the active view, then the current state: the
 * current state is what a retry reads to decide what is left to do, so it is
 * written last and every earlier write is repeated until it lands.
 * docs/store.md explains how each query is served.
 */
import { odata, type TableClient } from "@azure/data-tables";
import { randomUUID } from "node:crypto";
import pLimit from "p-limit";
import { collect, groupBy } from "../collections.js";
import type { Finding } from "../findings/model.js";
import type { ClusterHealth, ScanRun } from "../scan/model.js";
import { coversClusterFinding, coversFleetFinding, type FleetCoverage } from "../coverage/model.js";
import { addCounts, NO_WRITES, writeAll, statusOf, type WriteAction, type WriteCount, type WriteMode } from "./batch.js";
import {
  activeRowKey,
  checkKey,
  findingRowKey,
  clusterHealthEntity,
  clusterHealthFromEntity,
  clusterHealthRowKey,
  clusterScope,
  CLUSTER_SCOPE_PREFIX,
  FLEET_MARKER_ROW,
  findingEntity,
  findingFromEntity,
  fleetCoverageFromEntity,
  fleetMarkerEntity,
  fleetScope,
  historyEntity,
  historyFromEntity,
  locatorEntity,
  SCAN_PARTITION,
  scanDetailsPartition,
  scanEntity,
  scanFromEntity,
  liftProperties,
  SUPPRESSION_AUDIT_PARTITION,
  SUPPRESSION_PARTITION,
  suppressionAuditEntity,
  suppressionAuditFromEntity,
  suppressionEntity,
  suppressionFromEntity,
  suppressionHistoryEntity,
  TENANT_SCOPE,
  type Row,
} from "./entities.js";
import { encodeKey, historyBucket, prefixRange } from "./keys.js";
import { effectiveStatus, observe, resolveAbsent, scanInstant, withSuppression } from "./lifecycle.js";
import { checkSuppressionRules, matchSuppression, SUPPRESSION_LIMITS } from "../suppressions/index.js";
import { expiredSuppression, historySuppression, SYSTEM_ACTOR } from "./suppression-events.js";
import type {
  CleanupResult,
  FindingHistoryEntry,
  FindingQuery,
  FindingStatus,
  FindingWithHistory,
  NewSuppression,
  Page,
  PageRequest,
  SaveResult,
  ScanChanges,
  ScanDetails,
  ScanRef,
  ScanSummary,
  StoredClusterHealth,
  StoredFinding,
  Suppression,
  SuppressionAuditEntry,
  SuppressionLift,
} from "./model.js";
import { decodeContinuation, encodeContinuation } from "./paging.js";
import { planFindingQuery, queryFingerprint } from "./query.js";
import { CountRowsTable } from "./count-rows.js";
import { countFindings, countsHold, type FleetCounts } from "./counts.js";

export interface FindingsTables {
  scans: TableClient;
  findings: TableClient;
  active: TableClient;
  history: TableClient;
  suppressions: TableClient;
}

export interface FindingsStoreOptions {
  /** "single" writes entity by entity; only the benchmark wants it. */
  writeMode?: WriteMode;
  /** Requests in flight at once. */
  concurrency?: number;
  /** The clock for suppression expiry; tests move it. Scan rows are dated by the scan, never by this. */
  now?: () => Date;
  /** SUPPRESSION_MAX_DAYS: how far ahead a suppression may expire (default 90). */
  suppressionMaxDays?: number;
}

/** What lifting a suppression did: lifted now, lifted before (the tombstone stays as it was), or no such suppression. */
export type LiftOutcome = { outcome: "lifted"; suppression: Suppression } | { outcome: "already-lifted"; suppression: Suppression } | { outcome: "unknown" };

/** Service pages read at most per API page when the filter leaves pages empty. */
const MAX_SERVICE_PAGES_PER_PAGE = 10;

export class FindingsStore {
  private readonly writeMode: WriteMode;
  private readonly concurrency: number;
  private readonly now: () => Date;
  /** SUPPRESSION_MAX_DAYS, for the rules every new suppression is checked against. */
  readonly suppressionMaxDays: number;
  /** Scans whose start time the store's clock has accepted. */
  private readonly clockChecked = new Set<string>();
  /** Per-scope counts of open and suppressed findings, for the console's overview. */
  private readonly countRows: CountRowsTable;

  constructor(
    private readonly tables: FindingsTables,
    options: FindingsStoreOptions = {},
  ) {
    this.writeMode = options.writeMode ?? "transactions";
    this.concurrency = options.concurrency ?? 8;
    this.now = options.now ?? (() => new Date());
    this.suppressionMaxDays = options.suppressionMaxDays ?? SUPPRESSION_LIMITS.defaultMaxDays;
    this.countRows = new CountRowsTable(tables.scans);
  }

  /** Creates the tables when missing; safe to call on every start. */
  async ensureTables(): Promise<void> {
    await Promise.all(Object.values(this.tables).map((t) => t.createTable()));
  }

  // ---------------------------------------------------------------- writes

  /**
   * Saves what one cluster's scan found, and the cluster's health. Idempotent:
   * calling it again with the same arguments, or after it failed half-way,
   * leaves the same rows. Resolves nothing; completeScan does.
   *
   * @example
   * await store.saveClusterFindings({ id: run.id, startedAt: run.startedAt }, health, findings);
   */
  async saveClusterFindings(scan: ScanRef, health: ClusterHealth, findings: readonly Finding[]): Promise<SaveResult> {
    await this.refuseFutureScan(scan);
    const suppressions = await this.listSuppressions();
    const grades = (f: Finding) => coversClusterFinding(health.coverage, f.checkId, f.resource, true);
    const written = await this.saveScope(scan, clusterScope(health.clusterId), findings, suppressions, grades);
    // Written last: its presence tells completeScan the cluster's findings are all in.
    await this.tables.scans.upsertEntity(clusterHealthEntity(scan.id, scanInstant(scan), health, true), "Replace");
    return result(findings.length, written, ONE_ROW);
  }

  /**
   * Saves findings not tied to one cluster (identities, app registrations), per
   * subscription, with what the fleet checks covered: completeScan resolves
   * fleet findings by it. Without coverage (an older caller) nothing at fleet level resolves. Idempotent.
   */
  async saveFleetFindings(scan: ScanRef, findings: readonly Finding[], coverage?: FleetCoverage): Promise<SaveResult> {
    await this.refuseFutureScan(scan);
    const suppressions = await this.listSuppressions();
    const grades = (f: Finding) => coversFleetFinding(coverage, f.checkId, f.resource, true);
    const byScope = groupBy(findings, (f) => fleetScope(f.resource.subscriptionId));
    const counts = await Promise.all([...byScope].map(([scope, group]) => this.saveScope(scan, scope, group, suppressions, grades)));
    await this.tables.scans.upsertEntity(fleetMarkerEntity(scan.id, scanInstant(scan), findings.length, coverage), "Replace");
    return result(findings.length, ...counts, ONE_ROW);
  }

  /**
   * Finalizes a scan: resolves the findings it no longer saw, each only where
   * the scan covered its check on its resource (the coverage saved with each
   * cluster's health and with the fleet findings), and the findings of
   * clusters gone from a subscription whose clusters it listed; then writes
   * the scan row. A cluster never saved, a check not run, a read that failed:
   * their findings keep their state. Idempotent: rerun after a crash at any
   * point, it finishes what the first run left and changes nothing else.
   *
   * @param presentClusterIds every cluster the inventory listed (default: the run's clusters);
   *   a cluster the scan knew of but never saved is not "gone".
   */
  async completeScan(run: ScanRun, presentClusterIds?: readonly string[]): Promise<SaveResult> {
    const scan: ScanRef = { id: run.id, startedAt: run.startedAt };
    await this.refuseFutureScan(scan);
    const at = scanInstant(scan);
    const saved = await this.savedParts(run.id);

    // Clusters reported but never saved still get a health row, marked as such.
    const missing = run.clusters.filter((h) => !saved.clusters.has(clusterHealthRowKey(h.clusterId)));
    const healthRows = await writeAll(
      this.tables.scans,
      missing.map((h) => ({ kind: "upsert", row: clusterHealthEntity(run.id, at, h, false) })),
      this.writeOptions(),
    );

    const resolutions: Resolution[] = [];
    for (const health of saved.clusters.values()) {
      const coverage = health.coverage;
      if (coverage === undefined) continue;
      resolutions.push({ scope: clusterScope(health.clusterId), covers: (f) => coversClusterFinding(coverage, f.checkId, f.resource) });
    }
    const fleet = saved.fleetCoverage;
    if (fleet !== undefined) {
      const covers = (f: StoredFinding) => coversFleetFinding(fleet, f.checkId, f.resource);
      for (const subscription of fleet.subscriptions) resolutions.push({ scope: fleetScope(subscription), covers });
      resolutions.push({ scope: TENANT_SCOPE, covers });
      if (run.scope.clusters.length === 0) {
        const present = presentClusterIds ?? run.clusters.map((h) => h.clusterId);
        for (const scope of await this.vanishedClusterScopes(fleet.subscriptions, present)) resolutions.push({ scope, covers: () => true });
      }
    }

    const limit = pLimit(Math.max(1, Math.floor(this.concurrency / 2)));
    const unique = [...new Map(resolutions.map((r) => [r.scope, r])).values()];
    const counts = await Promise.all(unique.map((r) => limit(() => this.resolveScope(scan, r.scope, r.covers))));
    await this.backfillCounts();

    await this.tables.scans.upsertEntity(scanEntity(run), "Replace");
    return result(0, healthRows, ...counts, ONE_ROW);
  }

  /**
   * Everything for one scan at once, as the CLI runs it: each cluster's
   * findings, the fleet-level findings, then completeScan.
   */
  async saveScan(run: ScanRun, findings: readonly Finding[], fleetCoverage?: FleetCoverage): Promise<SaveResult> {
    const scan: ScanRef = { id: run.id, startedAt: run.startedAt };
    const clusterIds = new Set(run.clusters.map((h) => h.clusterId.toLowerCase()));
    const perCluster = groupBy(
      findings.filter((f) => f.resource.clusterId !== undefined && clusterIds.has(f.resource.clusterId.toLowerCase())),
      (f) => f.resource.clusterId!.toLowerCase(),
    );
    const fleet = findings.filter((f) => f.resource.clusterId === undefined || !clusterIds.has(f.resource.clusterId.toLowerCase()));

    const limit = pLimit(4);
    const results = await Promise.all(
      run.clusters.map((h) => limit(() => this.saveClusterFindings(scan, h, perCluster.get(h.clusterId.toLowerCase()) ?? []))),
    );
    const fleetResult = await this.saveFleetFindings(scan, fleet, fleetCoverage);
    const completed = await this.completeScan(run);
    return result(findings.length, ...results, fleetResult, completed);
  }

  /**
   * Clusters with findings not yet resolved, in a subscription whose clusters
   * this scan listed, that the listing no longer holds: deleted (or moved out
   * of reach), so nothing will ever see their findings again. Read from
   * ActiveFindings (open and suppressed rows only), once per scan.
   */
  private async vanishedClusterScopes(subscriptionsListed: readonly string[], present: readonly string[]): Promise<string[]> {
    const listed = new Set(subscriptionsListed.map((s) => s.toLowerCase()));
    const still = new Set(present.map((id) => clusterScope(id)));
    const vanished = new Set<string>();
    const rows = this.tables.active.listEntities<{ scope?: string; qSubscription?: string }>({ queryOptions: { select: ["scope", "qSubscription"] } });
    for await (const row of rows) {
      const { scope, qSubscription } = row;
      if (scope === undefined || !scope.startsWith(CLUSTER_SCOPE_PREFIX) || still.has(scope)) continue;
      if (qSubscription !== undefined && listed.has(qSubscription)) vanished.add(scope);
    }
    return [...vanished];
  }

  /**
   * Refuses a scan that says it started later than the store's own clock
   * (plus MAX_CLOCK_SKEW_MS): lifecycle order follows start times, so one
   * scan dated in the future would outrank every later scan and freeze the
   * findings it saw. The store's clock is the Date of its own answer, asked once per scan.
   */
  private async refuseFutureScan(scan: ScanRef): Promise<void> {
    if (this.clockChecked.has(scan.id)) return;
    const started = Date.parse(scanInstant(scan));
    const headers = await this.tables.scans.upsertEntity({ partitionKey: CLOCK_PARTITION, rowKey: CLOCK_ROW }, "Replace");
    const storeNow = headers.date instanceof Date ? headers.date.getTime() : this.now().getTime();
    if (started > storeNow + MAX_CLOCK_SKEW_MS) throw new ScanClockError(scan, new Date(storeNow));
    this.clockChecked.add(scan.id);
  }

  /** `grades` says whether the scan read what a finding's severity depends on; when not, a stored open finding keeps its severity. */
  private async saveScope(
    scan: ScanRef,
    scope: string,
    findings: readonly Finding[],
    suppressions: readonly Suppression[],
    grades: (finding: Finding) => boolean,
  ): Promise<WriteCount> {
    const countsEtag = await this.countRows.begin(scope);
    const previous = await this.readScope(scope);
    const after = new Map(previous);
    const now = this.now();
    const at = scanInstant(scan);
    const history: WriteAction[] = [];
    const active: WriteAction[] = [];
    const current: WriteAction[] = [];
    const audit = new AuditRows();

    for (const finding of dedupeById(findings)) {
      const before = previous.get(finding.id);
      const suppression = matchSuppression(finding, suppressions, now);
      const { next, event, status } = observe(before, finding, scan, suppression, grades(finding));
      const bucket = historyBucket(finding.id);
      const shown = suppression === undefined ? undefined : historySuppression(suppression);
      history.push({ kind: "upsert", row: historyEntity(bucket, next ?? finding, scan.id, at, event, status, scope, shown) });
      if (!before) history.push({ kind: "upsert", row: locatorEntity(bucket, finding.id, scope) });
      if (!next) continue;
      after.set(next.id, next);
      this.noticeExpiry(before, next.status, next.suppression?.id, scope, now, suppressions, history, audit);
      if (before && before.status !== "resolved" && before.severity !== next.severity) {
        active.push({ kind: "delete", partitionKey: before.severity, rowKey: activeRowKey(before.checkId, before.id) });
      }
      active.push({ kind: "upsert", row: findingEntity(next, scope, next.severity, activeRowKey(next.checkId, next.id)) });
      current.push({ kind: "upsert", row: findingEntity(next, scope, scope, findingRowKey(next.id)) });
    }
    const written = addCounts(await this.writeAudit(audit), await this.writePhases(history, active, current));
    await this.countRows.finish(scope, countsEtag, countFindings(after.values(), now));
    return addCounts(written, COUNTS_WRITES);
  }

  private async resolveScope(scan: ScanRef, scope: string, covers: (finding: StoredFinding) => boolean): Promise<WriteCount> {
    const at = scanInstant(scan);
    const now = this.now();
    const history: WriteAction[] = [];
    const active: WriteAction[] = [];
    const current: WriteAction[] = [];
    const audit = new AuditRows();
    let suppressions: Suppression[] | undefined;
    const countsEtag = await this.countRows.begin(scope);
    const after = await this.readOpenScope(scope);
    for (const before of [...after.values()]) {
      if (!covers(before)) continue;
      const next = resolveAbsent(before, scan);
      if (!next) continue;
      after.set(next.id, next);
      if (expiredSuppression(before, now) !== undefined) {
        suppressions ??= await this.listSuppressions();
        this.noticeExpiry(before, "resolved", undefined, scope, now, suppressions, history, audit);
      }
      history.push({ kind: "upsert", row: historyEntity(historyBucket(before.id), before, scan.id, at, "resolved", "resolved", scope) });
      active.push({ kind: "delete", partitionKey: before.severity, rowKey: activeRowKey(before.checkId, before.id) });
      current.push({ kind: "upsert", row: findingEntity(next, scope, scope, findingRowKey(next.id)) });
    }
    const written = addCounts(await this.writeAudit(audit), await this.writePhases(history, active, current));
    await this.countRows.finish(scope, countsEtag, countFindings(after.values(), now));
    return addCounts(written, COUNTS_WRITES);
  }

  /**
   * Counts rows for the scopes with open or suppressed findings saved before
   * counts were kept (each scope read once), then the marker that says every
   * scope has its row: from then on the overview reads counts, not findings.
   * Once done, one row read per scan.
   */
  private async backfillCounts(): Promise<void> {
    const rows = await this.countRows.read();
    if (rows.complete) return;
    const counted = new Set(rows.scopes.map((r) => r.scope));
    const missing = new Set<string>();
    for await (const row of this.tables.active.listEntities<{ scope?: string }>({ queryOptions: { select: ["scope"] } })) {
      if (row.scope !== undefined && !counted.has(row.scope)) missing.add(row.scope);
    }
    const limit = pLimit(Math.max(1, Math.floor(this.concurrency / 2)));
    await Promise.all([...missing].map((scope) => limit(async () => this.countRows.backfill(scope, countFindings((await this.readOpenScope(scope)).values(), this.now())))));
    await this.countRows.markComplete();
  }

  /**
   * Records that the suppression hiding a stored finding has expired, the
   * first time the store touches the finding after the expiry (a scan that
   * sees or resolves it, a suppression change of its check): a history event
   * dated at the expiry and one audit row per suppression. Both keys are
   * derived from the suppression and its expiry, so noticing twice writes the
   * same rows again. Queries show the expiry before it is written (getFinding).
   */
  private noticeExpiry(
    before: StoredFinding | undefined,
    statusAfter: FindingStatus,
    suppressionAfter: string | undefined,
    scope: string,
    now: Date,
    suppressions: readonly Suppression[],
    history: WriteAction[],
    audit: AuditRows,
  ): void {
    const expired = before === undefined ? undefined : expiredSuppression(before, now);
    if (before === undefined || expired === undefined || expired.id === suppressionAfter) return;
    history.push({
      kind: "upsert",
      row: suppressionHistoryEntity(historyBucket(before.id), before, expired.expiresAt, "suppression-expired", statusAfter, scope, expired),
    });
    const full = suppressions.find((s) => s.id === expired.id);
    audit.add({
      suppressionId: expired.id,
      event: "expired",
      at: expired.expiresAt,
      by: SYSTEM_ACTOR,
      byId: "",
      reason: `expired; it was accepted by ${expired.createdBy}: ${expired.reason}`,
      checkId: full?.checkId ?? before.checkId,
      pattern: full?.pattern ?? {},
      fleetWide: full?.fleetWide === true,
      expiresAt: expired.expiresAt,
      recordedAt: now.toISOString(),
    });
  }

  private async writeAudit(audit: AuditRows): Promise<WriteCount> {
    return writeAll(this.tables.suppressions, audit.actions(), this.writeOptions());
  }

  private async writePhases(history: WriteAction[], active: WriteAction[], current: WriteAction[]): Promise<WriteCount> {
    const options = this.writeOptions();
    const h = await writeAll(this.tables.history, history, options);
    const a = await writeAll(this.tables.active, active, options);
    const c = await writeAll(this.tables.findings, current, options);
    return addCounts(h, a, c);
  }

  private writeOptions() {
    return { mode: this.writeMode, concurrency: this.concurrency };
  }

  private async readScope(scope: string, extraFilter?: string): Promise<Map<string, StoredFinding>> {
    const filter = odata`PartitionKey eq ${scope}` + (extraFilter ? ` and ${extraFilter}` : "");
    const found = new Map<string, StoredFinding>();
    for await (const e of this.tables.findings.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const f = findingFromEntity(e as Row);
      found.set(f.id, f);
    }
    return found;
  }

  private async readOpenScope(scope: string): Promise<Map<string, StoredFinding>> {
    return this.readScope(scope, odata`status ne ${"resolved"}`);
  }

  /** The parts of a scan already saved: each cluster's health (with its coverage) and the fleet's coverage. */
  private async savedParts(scanId: string): Promise<{ clusters: Map<string, StoredClusterHealth>; fleet: boolean; fleetCoverage?: FleetCoverage }> {
    const clusters = new Map<string, StoredClusterHealth>();
    let fleet = false;
    let fleetCoverage: FleetCoverage | undefined;
    const filter = odata`PartitionKey eq ${scanDetailsPartition(scanId)}`;
    for await (const e of this.tables.scans.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      if (e["findingsSaved"] !== true) continue;
      if (e.rowKey === FLEET_MARKER_ROW) {
        fleet = true;
        fleetCoverage = fleetCoverageFromEntity(e as Row);
      } else clusters.set(e.rowKey!, clusterHealthFromEntity(e as Row));
    }
    return { clusters, fleet, ...(fleetCoverage !== undefined && { fleetCoverage }) };
  }

  // ---------------------------------------------------------------- queries

  /**
   * One page of findings matching the query, best served table first (see
   * planFindingQuery). Statuses are as of now: an expired suppression shows as open.
   *
   * @example
   * const page = await store.listFindings({ status: "open", severity: "high" }, { pageSize: 100 });
   */
  async listFindings(query: FindingQuery, page: PageRequest): Promise<Page<StoredFinding>> {
    const now = this.now();
    const plan = planFindingQuery(query, now);
    const fingerprint = queryFingerprint(query);
    const table = plan.table === "active" ? this.tables.active : this.tables.findings;
    let serviceToken = page.continuationToken === undefined ? undefined : decodeContinuation(page.continuationToken, fingerprint);

    const items: StoredFinding[] = [];
    // The service may return short or empty pages with a token when a filter skips many rows;
    // a few more requests spare the caller an empty page.
    for (let i = 0; i < MAX_SERVICE_PAGES_PER_PAGE && items.length === 0; i++) {
      const pages = table
        .listEntities<Record<string, unknown>>({ queryOptions: plan.filter ? { filter: plan.filter } : {} })
        .byPage({ maxPageSize: page.pageSize, ...(serviceToken !== undefined && { continuationToken: serviceToken }) });
      const result = await pages.next();
      if (result.done) {
        serviceToken = undefined;
        break;
      }
      for (const e of result.value) {
        const f = findingFromEntity(e as Row);
        items.push({ ...f, status: effectiveStatus(f, now) });
      }
      serviceToken = result.value.continuationToken;
      if (serviceToken === undefined) break;
    }
    return { items, ...(serviceToken !== undefined && { continuationToken: encodeContinuation(fingerprint, serviceToken) }) };
  }

  /** Every finding matching the query, page after page (CSV export, CLI). */
  async *allFindings(query: FindingQuery, pageSize = 1000): AsyncGenerator<StoredFinding> {
    let token: string | undefined;
    do {
      const page = await this.listFindings(query, { pageSize, ...(token !== undefined && { continuationToken: token }) });
      yield* page.items;
      token = page.continuationToken;
    } while (token !== undefined);
  }

  /**
   * What a saved scan changed: every change of a finding's status is dated with
   * the scan that made it, so the findings changed since the scan started, read
   * once, say what is new, reopened and resolved.
   */
  async scanChanges(scan: ScanRef): Promise<ScanChanges> {
    const changes: ScanChanges = { new: 0, reopened: 0, resolved: 0 };
    for await (const finding of this.allFindings({ status: "all", since: new Date(scan.startedAt) })) {
      if (finding.resolvedScanId === scan.id && finding.status === "resolved") changes.resolved += 1;
      else if (finding.openedScanId === scan.id) {
        if (finding.firstSeenScanId === scan.id) changes.new += 1;
        else changes.reopened += 1;
      }
    }
    return changes;
  }

  /**
   * The open and suppressed findings counted, for the console's overview: one
   * row per scope, and the findings of the scopes whose row does not hold
   * (stale, or a suppression in it has expired since) read live. Undefined
   * while some scope saved before counts were kept has no row yet (until the
   * next scan completes): the caller reads the findings instead.
   */
  async findingCounts(): Promise<FleetCounts | undefined> {
    const rows = await this.countRows.read();
    if (!rows.complete) return undefined;
    const now = this.now();
    const holding = rows.scopes.filter((r) => countsHold(r, now));
    const live = rows.scopes.filter((r) => !countsHold(r, now));
    const limit = pLimit(this.concurrency);
    const recounted = await Promise.all(live.map((r) => limit(async () => countFindings((await this.readOpenScope(r.scope)).values(), now))));
    return { groups: [...holding, ...recounted].flatMap((c) => c.groups), scopes: rows.scopes.length, scopesReadLive: live.length };
  }

  /** One finding with its history (oldest first), or undefined when the store never saw it. */
  async getFinding(findingId: string): Promise<FindingWithHistory | undefined> {
    const bucket = historyBucket(findingId);
    const locatorKey = findingRowKey(findingId);
    const { lower, upper } = prefixRange(`${locatorKey}|`);
    const filter = odata`PartitionKey eq ${bucket} and (RowKey eq ${locatorKey} or (RowKey ge ${lower} and RowKey lt ${upper}))`;
    let scope: string | undefined;
    const history = [];
    for await (const e of this.tables.history.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      if (e.rowKey === locatorKey) scope = String(e["scope"]);
      else history.push(historyFromEntity(e as Row));
    }
    if (scope === undefined) return undefined;
    const row = await this.getRow(this.tables.findings, scope, locatorKey);
    if (!row) return undefined;
    const finding = findingFromEntity(row);
    const now = this.now();
    return { finding: { ...finding, status: effectiveStatus(finding, now) }, history: withUnrecordedExpiry(history, finding, now) };
  }

  /** Finished scans, newest first. */
  async listScans(page: PageRequest): Promise<Page<ScanSummary>> {
    return this.onePage(this.tables.scans, odata`PartitionKey eq ${SCAN_PARTITION}`, "scans", page, scanFromEntity);
  }

  /** One service page of a query, its continuation token bound to the query (`fingerprint`). */
  private async onePage<T>(table: TableClient, filter: string, fingerprint: string, page: PageRequest, fromEntity: (e: Row) => T): Promise<Page<T>> {
    const serviceToken = page.continuationToken === undefined ? undefined : decodeContinuation(page.continuationToken, fingerprint);
    const result = await table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter } })
      .byPage({ maxPageSize: page.pageSize, ...(serviceToken !== undefined && { continuationToken: serviceToken }) })
      .next();
    if (result.done) return { items: [] };
    const next = result.value.continuationToken;
    return {
      items: result.value.map((e) => fromEntity(e as Row)),
      ...(next !== undefined && { continuationToken: encodeContinuation(fingerprint, next) }),
    };
  }

  /**
   * A scan with its per-cluster health. While a scan is still running only the
   * clusters saved so far are known and `scan` is absent; undefined means the
   * store knows nothing of this id. The orchestration status is added by the caller.
   */
  async getScan(scanId: string): Promise<(Omit<ScanDetails, "scan"> & { scan?: ScanSummary }) | undefined> {
    const [scanRows, detailRows] = await Promise.all([
      collect(this.tables.scans.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${SCAN_PARTITION} and scanId eq ${scanId}` } })),
      collect(this.tables.scans.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${scanDetailsPartition(scanId)}` } })),
    ]);
    const scanRow = scanRows[0];
    if (!scanRow && detailRows.length === 0) return undefined;
    const fleetRow = detailRows.find((e) => e.rowKey === FLEET_MARKER_ROW);
    const fleetCoverage = fleetRow === undefined ? undefined : fleetCoverageFromEntity(fleetRow as Row);
    return {
      ...(scanRow && { scan: scanFromEntity(scanRow as Row) }),
      clusters: detailRows.filter((e) => e.rowKey !== FLEET_MARKER_ROW).map((e) => clusterHealthFromEntity(e as Row)),
      fleetFindingsSaved: fleetRow?.["findingsSaved"] === true,
      ...(fleetCoverage !== undefined && { fleetCoverage }),
    };
  }

  // ---------------------------------------------------------------- suppressions

  /** Every suppression: active, expired and lifted (tombstones show why a finding was hidden in the past). */
  async listSuppressions(): Promise<Suppression[]> {
    const rows = await collect(
      this.tables.suppressions.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${SUPPRESSION_PARTITION}` } }),
    );
    return rows.map((e) => suppressionFromEntity(e as Row));
  }

  /** The suppression audit log, oldest first per suppression; one suppression's trail when an id is given. */
  async listSuppressionAudit(suppressionId?: string): Promise<SuppressionAuditEntry[]> {
    const rows = await collect(this.tables.suppressions.listEntities<Record<string, unknown>>({ queryOptions: { filter: suppressionAuditFilter(suppressionId) } }));
    return rows.map((e) => suppressionAuditFromEntity(e as Row));
  }

  /** One page of the audit log (GET /api/suppression-audit), in the same order; the token only continues the same query. */
  async suppressionAuditPage(page: PageRequest, suppressionId?: string): Promise<Page<SuppressionAuditEntry>> {
    return this.onePage(this.tables.suppressions, suppressionAuditFilter(suppressionId), `audit|${suppressionId ?? ""}`, page, suppressionAuditFromEntity);
  }

  /**
   * Stores a suppression and applies it at once to the stored findings it
   * matches, each getting a "suppressed" history event. Checked against the
   * governance rules first (docs/store.md): who may create a fleet-wide one is
   * the caller's to check. The audit row is written before the suppression, so
   * no suppression ever applies without its audit entry.
   */
  async createSuppression(input: NewSuppression): Promise<Suppression> {
    const now = this.now();
    checkSuppressionRules(input, now, this.suppressionMaxDays);
    const { fleetWide, ...rest } = input;
    const suppression: Suppression = {
      ...rest,
      ...(fleetWide === true && { fleetWide: true }),
      reason: input.reason.trim(),
      id: randomUUID(),
      createdAt: now.toISOString(),
    };
    await this.tables.suppressions.upsertEntity(
      suppressionAuditEntity({
        suppressionId: suppression.id,
        event: "created",
        at: suppression.createdAt,
        by: suppression.createdBy,
        byId: suppression.createdById,
        reason: suppression.reason,
        checkId: suppression.checkId,
        pattern: suppression.pattern,
        fleetWide: suppression.fleetWide === true,
        expiresAt: suppression.expiresAt,
      }),
      "Replace",
    );
    await this.tables.suppressions.createEntity(suppressionEntity(suppression));
    await this.reapplySuppressions(suppression.checkId, now);
    return suppression;
  }

  /**
   * Lifts a suppression: its row stays as a tombstone (liftedBy, liftedAt,
   * the lift's reason) and stops applying; the findings it hid become open
   * again (or fall under another suppression), each with a
   * "suppression-lifted" history event naming who lifted it and why.
   */
  async liftSuppression(id: string, lift: Omit<SuppressionLift, "at">): Promise<LiftOutcome> {
    const row = await this.getRow(this.tables.suppressions, SUPPRESSION_PARTITION, encodeKey(id));
    if (!row) return { outcome: "unknown" };
    const existing = suppressionFromEntity(row);
    if (existing.lifted !== undefined) return { outcome: "already-lifted", suppression: existing };
    const now = this.now();
    const lifted: Suppression = { ...existing, lifted: { ...lift, reason: lift.reason.trim(), at: now.toISOString() } };
    await this.tables.suppressions.upsertEntity(
      suppressionAuditEntity({
        suppressionId: id,
        event: "lifted",
        at: lifted.lifted!.at,
        by: lift.by,
        byId: lift.byId,
        reason: lifted.lifted!.reason,
        checkId: existing.checkId,
        pattern: existing.pattern,
        fleetWide: existing.fleetWide === true,
        expiresAt: existing.expiresAt,
      }),
      "Replace",
    );
    try {
      // The etag makes two concurrent lifts one: the second finds the row changed and reports it lifted already.
      await this.tables.suppressions.updateEntity({ partitionKey: SUPPRESSION_PARTITION, rowKey: encodeKey(id), ...liftProperties(lifted.lifted!) }, "Merge", {
        etag: String(row.etag),
      });
    } catch (error) {
      if (statusOf(error) !== 412) throw error;
      const again = await this.getRow(this.tables.suppressions, SUPPRESSION_PARTITION, encodeKey(id));
      return { outcome: "already-lifted", suppression: again ? suppressionFromEntity(again) : existing };
    }
    await this.reapplySuppressions(existing.checkId, now);
    return { outcome: "lifted", suppression: lifted };
  }

  /**
   * Re-evaluates the open and suppressed findings of one check against the
   * suppressions now in force, and writes why each changed: suppressed by a
   * new suppression, its suppression lifted, or expired.
   */
  private async reapplySuppressions(checkId: string, now: Date): Promise<void> {
    const suppressions = await this.listSuppressions();
    const byId = new Map(suppressions.map((s) => [s.id, s]));
    const { lower, upper } = prefixRange(`${checkKey(checkId)}|`);
    const history: WriteAction[] = [];
    const active: WriteAction[] = [];
    const current: WriteAction[] = [];
    const audit = new AuditRows();
    const touched = new Set<string>();
    for await (const e of this.tables.active.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`RowKey ge ${lower} and RowKey lt ${upper}` },
    })) {
      const before = findingFromEntity(e as Row);
      const applies = matchSuppression(before, suppressions, now);
      const next = withSuppression(before, applies);
      if (next.status === before.status && next.suppression?.id === before.suppression?.id) continue;
      const scope = String(e["scope"]);
      const bucket = historyBucket(before.id);
      const old = before.suppression === undefined ? undefined : byId.get(before.suppression.id);
      if (old?.lifted !== undefined && old.id !== applies?.id) {
        const shown = { ...historySuppression(old), liftedBy: old.lifted.by, liftReason: old.lifted.reason };
        history.push({ kind: "upsert", row: suppressionHistoryEntity(bucket, before, old.lifted.at, "suppression-lifted", next.status, scope, shown) });
      } else {
        this.noticeExpiry(before, next.status, applies?.id, scope, now, suppressions, history, audit);
      }
      if (applies !== undefined && applies.id !== before.suppression?.id) {
        history.push({ kind: "upsert", row: suppressionHistoryEntity(bucket, before, now.toISOString(), "suppressed", "suppressed", scope, historySuppression(applies)) });
      }
      active.push({ kind: "upsert", row: findingEntity(next, scope, next.severity, activeRowKey(next.checkId, next.id)) });
      current.push({ kind: "upsert", row: findingEntity(next, scope, scope, findingRowKey(next.id)) });
      touched.add(scope);
    }
    const limit = pLimit(Math.max(1, Math.floor(this.concurrency / 2)));
    const etags = new Map(await Promise.all([...touched].map((scope) => limit(async () => [scope, await this.countRows.begin(scope)] as const))));
    await this.writeAudit(audit);
    await this.writePhases(history, active, current);
    // Only this check's rows were read: each touched scope is read whole again to count it.
    await Promise.all([...etags].map(([scope, etag]) => limit(async () => this.countRows.finish(scope, etag, countFindings((await this.readOpenScope(scope)).values(), now)))));
  }

  // ---------------------------------------------------------------- retention

  /**
   * Deletes scan-level rows (scans, per-cluster health, history) of scans that
   * started more than retentionDays ago. The current state of every finding,
   * and where to find it, are kept.
   */
  async deleteScansOlderThan(retentionDays: number): Promise<CleanupResult> {
    const cutoff = new Date(this.now().getTime() - retentionDays * 86_400_000);
    const scanRows = await collect(
      this.tables.scans.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`startedAt lt ${cutoff}`, select: ["PartitionKey", "RowKey"] } }),
    );
    const historyRows = await collect(
      this.tables.history.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`at lt ${cutoff}`, select: ["PartitionKey", "RowKey"] } }),
    );
    const asDelete = (e: { partitionKey?: string; rowKey?: string }): WriteAction => ({ kind: "delete", partitionKey: e.partitionKey!, rowKey: e.rowKey! });
    await writeAll(this.tables.scans, scanRows.map(asDelete), this.writeOptions());
    await writeAll(this.tables.history, historyRows.map(asDelete), this.writeOptions());
    return { scans: scanRows.filter((e) => e.partitionKey === SCAN_PARTITION).length, rows: scanRows.length + historyRows.length };
  }

  private async getRow(table: TableClient, partitionKey: string, rowKey: string): Promise<Row | undefined> {
    try {
      return (await table.getEntity<Record<string, unknown>>(partitionKey, rowKey)) as Row;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }
}



/** A scope to resolve in, and which of its findings the scan covered. */
interface Resolution {
  scope: string;
  covers: (finding: StoredFinding) => boolean;
}

/** How far ahead of the store's clock a scan's start may be: clocks of healthy hosts agree within seconds. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const CLOCK_PARTITION = "clock";
const CLOCK_ROW = "store";

/** A scan dated ahead of the store's clock: the host's clock is wrong, and saving would freeze the findings. */
export class ScanClockError extends Error {
  override readonly name = "ScanClockError";
  constructor(scan: ScanRef, storeNow: Date) {
    super(
      `scan ${scan.id} says it started at ${scan.startedAt}, ${Math.round((Date.parse(scan.startedAt) - storeNow.getTime()) / 1000)} s after the store's clock (${storeNow.toISOString()}): ` +
        "fix the host's clock (NTP); nothing was saved",
    );
  }
}

/** Audit rows collected while saving, one per key: many findings noticing one expiry make one row. */
class AuditRows {
  private readonly rows = new Map<string, Row>();
  add(entry: SuppressionAuditEntry): void {
    const row = suppressionAuditEntity(entry);
    this.rows.set(String(row.rowKey), row);
  }
  actions(): WriteAction[] {
    return [...this.rows.values()].map((row) => ({ kind: "upsert", row }));
  }
}

/**
 * A finding's history as a reader should see it now: when its suppression has
 * expired and no scan or suppression change has recorded that yet, the expiry
 * is shown (dated at the expiry) without being written by a read.
 */
function withUnrecordedExpiry(history: FindingHistoryEntry[], finding: StoredFinding, now: Date): FindingHistoryEntry[] {
  const expired = expiredSuppression(finding, now);
  if (expired === undefined) return history;
  if (history.some((h) => h.event === "suppression-expired" && h.suppression?.id === expired.id)) return history;
  const entry: FindingHistoryEntry = { at: expired.expiresAt, event: "suppression-expired", status: "open", severity: finding.severity, suppression: expired };
  return [...history, entry].sort((a, b) => a.at.localeCompare(b.at));
}

/** The audit partition, or one suppression's trail in it (its rows' keys start with its id). */
function suppressionAuditFilter(suppressionId: string | undefined): string {
  const filter = odata`PartitionKey eq ${SUPPRESSION_AUDIT_PARTITION}`;
  if (suppressionId === undefined) return filter;
  const { lower, upper } = prefixRange(`${encodeKey(suppressionId, 100)}|`);
  return `${filter} and ${odata`RowKey ge ${lower} and RowKey lt ${upper}`}`;
}

function dedupeById(findings: readonly Finding[]): Finding[] {
  return [...new Map(findings.map((f) => [f.id, f])).values()];
}

const ONE_ROW: WriteCount = { requests: 1, rows: 1 };
/** A scope's counts row: marked stale before its findings are written, replaced after. */
const COUNTS_WRITES: WriteCount = { requests: 2, rows: 1 };

function result(findings: number, ...counts: Array<WriteCount | SaveResult>): SaveResult {
  const total = addCounts(NO_WRITES, ...counts.map((c) => ({ requests: c.requests, rows: c.rows })));
  return { findings, ...total };
}
