/**
 * One finding's page: the finding (the shared view and partial), its state,
 * its history (opened, seen, resolved, reopened, suppressed by whom, why and
 * until when, lifted, expired) and the actions the caller has the role for.
 * The suppression scopes offered are derived from the stored finding, and
 * the server derives them again from the finding when the form comes back:
 * a posted form names a scope, never a pattern.
 */
import type { FindingHistoryEntry, FindingWithHistory, HistoryEvent, StoredFinding } from "../store/model.js";
import type { FindingView } from "../digest/model.js";
import { clip, clipMultiline } from "../digest/text-bounds.js";
import { commandsOf, SHELL_LABELS } from "../report/remediation-output.js";
import { SUPPRESSION_LIMITS } from "../suppressions/index.js";
import { findingLocation } from "../report/index.js";
import { findingView, formatInstant, nameWithId } from "../views/index.js";
import type { PageChrome, Permissions } from "./chrome.js";
import { CONSOLE_LINKS, liftPath, suppressPath } from "./paths.js";

/** History rows shown; a finding seen weekly for the retention period has about a dozen. */
export const HISTORY_ROWS = 100;

export const SUPPRESSION_SCOPES = ["resource", "namespace", "cluster", "identity", "fleet"] as const;
export type SuppressionScope = (typeof SUPPRESSION_SCOPES)[number];

/** The fields of a suppression body (POST /api/suppressions) a scope stands for. */
export interface ScopePattern {
  subscription?: string;
  cluster?: string;
  namespace?: string;
  name?: string;
  identity?: string;
  fleetWide?: true;
}

/** The scopes a finding can be suppressed at, narrowest first; fleet-wide only for callers with that role. */
export function suppressionScopes(f: StoredFinding, fleetWideAllowed: boolean): Array<{ value: SuppressionScope; label: string; pattern: ScopePattern }> {
  const r = f.resource;
  const identity = r.identityClientId ?? r.identityId;
  const sub = r.subscriptionId === undefined ? {} : { subscription: r.subscriptionId };
  const scopes: Array<{ value: SuppressionScope; label: string; pattern: ScopePattern }> = [];
  // A value holding "*" would widen the pattern (it is a glob there): such a scope is not offered.
  const literal = (...values: Array<string | undefined>) => values.every((v) => v === undefined || !v.includes("*"));
  if (literal(r.cluster, r.namespace, r.name, identity)) {
    if (r.cluster !== undefined) {
      scopes.push({
        value: "resource",
        label: `This resource only: ${clip(findingLocation(f), "reason")}`,
        pattern: { ...sub, cluster: r.cluster, ...(r.namespace !== undefined && { namespace: r.namespace }), name: r.name },
      });
    } else if (identity !== undefined) {
      scopes.push({ value: "resource", label: `This resource only: ${clip(findingLocation(f), "reason")}`, pattern: { ...sub, identity, name: r.name } });
    }
    if (r.cluster !== undefined && r.namespace !== undefined) {
      scopes.push({ value: "namespace", label: `Namespace ${clip(r.namespace, "name")} of cluster ${clip(r.cluster, "name")}`, pattern: { ...sub, cluster: r.cluster, namespace: r.namespace } });
    }
    if (r.cluster !== undefined) scopes.push({ value: "cluster", label: `All of cluster ${clip(r.cluster, "name")}`, pattern: { ...sub, cluster: r.cluster } });
    if (identity !== undefined) scopes.push({ value: "identity", label: `Everything about identity ${clip(identity, "name")}`, pattern: { identity } });
  }
  if (fleetWideAllowed) scopes.push({ value: "fleet", label: `Fleet-wide: every ${f.checkId} finding`, pattern: { fleetWide: true } });
  return scopes;
}

export interface HistoryRowView {
  at: string;
  event: string;
  status: string;
  detail: string;
}

/** The command per shell: bash as the check wrote it, and PowerShell 7.3+ or why there is none. */
export interface CommandFormsView {
  shell: string;
  powershellShell: string;
  powershellCommand: string;
  powershellWithheld: string;
}

function commandFormsView(f: StoredFinding): CommandFormsView {
  const forms = commandsOf(f.remediation);
  return {
    shell: SHELL_LABELS.bash,
    powershellShell: SHELL_LABELS.powershell,
    powershellCommand: clipMultiline(forms?.powershell ?? "", "command"),
    powershellWithheld: clip(forms?.powershellWithheld ?? "", "reason"),
  };
}

export interface FindingPageView {
  page: PageChrome;
  notice: string | undefined;
  finding: FindingView & CommandFormsView;
  statusLabel: string;
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | undefined;
  suppression: { by: string; reason: string; until: string } | undefined;
  history: HistoryRowView[];
  historyMore: number;
  suppressForm:
    | { action: string; csrf: string; scopes: Array<{ value: string; label: string }>; maxDays: number; maxReason: number; minDate: string; maxDate: string; defaultDate: string }
    | undefined;
  liftForm: { action: string; csrf: string; finding: string; maxReason: number } | undefined;
}

export const NOTICES = { suppressed: "Suppressed: the suppression is in force and recorded in the history below.", lifted: "The suppression was lifted and the lift recorded in the history below." } as const;
export type Notice = keyof typeof NOTICES;

export interface FindingPageInput {
  found: FindingWithHistory;
  /** Subscription display names the recent scans kept (knownSubscriptionNames). */
  subscriptionNames: Readonly<Record<string, string>>;
  permissions: Permissions;
  csrf: string;
  now: Date;
  maxDays: number;
  notice: Notice | undefined;
}

export function buildFindingPageView(page: PageChrome, input: FindingPageInput): FindingPageView {
  const { finding: f, history } = input.found;
  const suppressed = f.status === "suppressed" && f.suppression !== undefined;
  const scopes = suppressionScopes(f, input.permissions.suppressFleetWide);
  const day = (offsetDays: number) => new Date(input.now.getTime() + offsetDays * 86_400_000).toISOString().slice(0, 10);
  const newestFirst = [...history].reverse();
  return {
    page,
    notice: input.notice === undefined ? undefined : NOTICES[input.notice],
    finding: { ...findingView(f, false, CONSOLE_LINKS, nameWithId(input.subscriptionNames)), ...commandFormsView(f) },
    statusLabel: statusLabel(f),
    firstSeen: formatInstant(f.firstSeenAt),
    lastSeen: formatInstant(f.lastSeenAt),
    resolvedAt: f.status === "resolved" && f.resolvedAt !== undefined ? formatInstant(f.resolvedAt) : undefined,
    suppression: suppressed
      ? { by: clip(f.suppression!.createdBy, "name"), reason: clip(f.suppression!.reason, "reason"), until: formatInstant(f.suppression!.expiresAt) }
      : undefined,
    history: newestFirst.slice(0, HISTORY_ROWS).map(historyRow),
    historyMore: Math.max(0, newestFirst.length - HISTORY_ROWS),
    suppressForm:
      input.permissions.suppress && !suppressed && f.status !== "resolved" && scopes.length > 0 && !f.checkId.startsWith("scan.")
        ? {
            action: suppressPath(f.id),
            csrf: input.csrf,
            scopes: scopes.map(({ value, label }) => ({ value, label })),
            maxDays: input.maxDays,
            maxReason: SUPPRESSION_LIMITS.reason,
            minDate: day(1),
            maxDate: day(input.maxDays - 1),
            defaultDate: day(Math.min(30, input.maxDays - 1)),
          }
        : undefined,
    liftForm: input.permissions.suppress && suppressed ? { action: liftPath(f.suppression!.id), csrf: input.csrf, finding: f.id, maxReason: SUPPRESSION_LIMITS.reason } : undefined,
  };
}

function statusLabel(f: StoredFinding): string {
  switch (f.status) {
    case "open":
      return `Open since ${formatInstant(f.openedAt)}`;
    case "resolved":
      return "Resolved";
    case "suppressed":
      return "Suppressed";
    default: {
      const never: never = f.status;
      return String(never);
    }
  }
}

const EVENT_LABELS: Record<HistoryEvent, string> = {
  new: "Opened (first seen)",
  seen: "Seen again",
  reopened: "Reopened",
  resolved: "Resolved",
  suppressed: "Suppressed",
  "suppression-lifted": "Suppression lifted",
  "suppression-expired": "Suppression expired",
};

function historyRow(h: FindingHistoryEntry): HistoryRowView {
  const s = h.suppression;
  let detail = h.scanId === undefined ? "" : `scan ${clip(h.scanId, "name")}`;
  if (s !== undefined) {
    const who = `suppressed by ${clip(s.createdBy, "name")} until ${formatInstant(s.expiresAt)}: ${clip(s.reason, "reason")}`;
    if (h.event === "suppression-lifted") detail = `lifted by ${clip(s.liftedBy ?? "someone", "name")}: ${clip(s.liftReason ?? "", "reason")} (was ${who})`;
    else if (h.event === "suppression-expired") detail = `expired (was ${who})`;
    else detail = detail === "" ? who : `${detail}; ${who}`;
  }
  return { at: formatInstant(h.at), event: EVENT_LABELS[h.event], status: h.status, detail };
}
