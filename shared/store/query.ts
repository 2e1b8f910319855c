/**
 * Which table and filter serve a findings query. Every value a caller gives
 * reaches the service through the odata helper, which quotes and escapes it;
 * nothing here concatenates user text into a filter.
 *
 * - status open or suppressed: the active view, one partition per severity,
 *   row keys starting with the check id; so "open, high" is one partition and
 *   "open, check X" is one row-key range per severity partition.
 * - a cluster given by ARM id: that cluster's partition of the current state.
 * - anything else (resolved, all): the current state, filtered by the service.
 */
import { odata } from "@azure/data-tables";
import { createHash } from "node:crypto";
import { checkKey, clusterScope } from "./entities.js";
import { prefixRange } from "./keys.js";
import type { FindingQuery } from "./model.js";

export type FindingTable = "current" | "active";

export interface QueryPlan {
  table: FindingTable;
  filter: string;
}

/** A cluster filter containing "/" is an ARM id; anything else is a cluster name. */
export function isClusterResourceId(cluster: string): boolean {
  return cluster.includes("/");
}

export function planFindingQuery(q: FindingQuery, now: Date): QueryPlan {
  const parts: string[] = [];
  const byClusterPartition = q.cluster !== undefined && isClusterResourceId(q.cluster);
  const table: FindingTable = !byClusterPartition && (q.status === "open" || q.status === "suppressed") ? "active" : "current";

  if (table === "active") {
    if (q.severity !== undefined) parts.push(odata`PartitionKey eq ${q.severity}`);
    if (q.checkId !== undefined) {
      const { lower, upper } = prefixRange(`${checkKey(q.checkId)}|`);
      parts.push(odata`RowKey ge ${lower} and RowKey lt ${upper}`);
    }
  } else {
    if (byClusterPartition && q.cluster !== undefined) parts.push(odata`PartitionKey eq ${clusterScope(q.cluster)}`);
    if (q.severity !== undefined) parts.push(odata`severity eq ${q.severity}`);
    if (q.checkId !== undefined) parts.push(odata`checkId eq ${q.checkId}`);
  }

  switch (q.status) {
    case "open":
      // A suppressed row whose suppression has expired counts as open without anyone rewriting it.
      parts.push(odata`(status eq ${"open"} or (status eq ${"suppressed"} and suppressedUntil le ${now}))`);
      break;
    case "suppressed":
      parts.push(odata`status eq ${"suppressed"} and suppressedUntil gt ${now}`);
      break;
    case "resolved":
      parts.push(odata`status eq ${"resolved"}`);
      break;
    case "all":
      break;
    default:
      assertNever(q.status);
  }

  if (q.subscription !== undefined) parts.push(odata`qSubscription eq ${q.subscription.toLowerCase()}`);
  if (q.cluster !== undefined && !byClusterPartition) parts.push(odata`qCluster eq ${q.cluster.toLowerCase()}`);
  if (q.namespace !== undefined) parts.push(odata`namespace eq ${q.namespace}`);
  if (q.identity !== undefined) parts.push(odata`qIdentity eq ${q.identity.toLowerCase()}`);
  if (q.since !== undefined) parts.push(odata`changedAt ge ${q.since}`);

  return { table, filter: parts.map((p) => `(${p})`).join(" and ") };
}

/**
 * A fingerprint of the query, stored in continuation tokens so that a token
 * cannot be replayed against a different query (it would silently skip rows).
 */
export function queryFingerprint(q: FindingQuery): string {
  const canonical = JSON.stringify([q.status, q.severity, q.checkId, q.subscription, q.cluster, q.namespace, q.identity, q.since?.toISOString()]);
  return createHash("sha256").update(canonical).digest("base64url").slice(0, 16);
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
