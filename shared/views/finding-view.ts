/**
 * One finding as people read it, in mail and on a page: bounded, display-safe
 * values (clip) and links from the caller's Links. Escaping is the renderer's.
 */
import type { Severity } from "../findings/model.js";
import { findingLocation } from "../report/index.js";
import { subscriptionNameOf } from "../report/csv.js";
import type { StoredFinding } from "../store/model.js";
import type { FindingView, ResolvedView } from "../digest/model.js";
import { clip, clipMultiline } from "../digest/text-bounds.js";
import { SHELL_LABELS } from "../checks/command-forms.js";
import type { Links } from "./links.js";
import { formatInstant, safeUrl } from "./format.js";

export const SEVERITY_COLORS: Record<Severity, string> = { high: "#b3261e", medium: "#b85c00", low: "#1f5fa8", info: "#5f6368" };
export const SEVERITY_LABELS: Record<Severity, string> = { high: "High", medium: "Medium", low: "Low", info: "Info" };

/** A subscription id as shown: its display name when known, "tenant" for findings of no subscription. */
export type SubscriptionNamer = (id: string | undefined) => string;

/** For pages about one finding: the display name with the id beside it (people paste the id into az), the id alone when unnamed. */
export function nameWithId(names: Readonly<Record<string, string>>): SubscriptionNamer {
  return (id) => {
    if (id === undefined) return "tenant";
    const name = subscriptionNameOf(id, names);
    return name === undefined ? id : `${clip(name, "name")} (${id})`;
  };
}

export function findingView(f: StoredFinding, isNew: boolean, links: Links, subName: SubscriptionNamer): FindingView {
  const r = f.resource;
  return {
    id: f.id,
    severity: f.severity,
    severityLabel: SEVERITY_LABELS[f.severity],
    severityColor: SEVERITY_COLORS[f.severity],
    isNew,
    checkId: f.checkId,
    title: clip(f.title, "title"),
    location: clip(`${subName(r.subscriptionId)} / ${findingLocation(f)}`, "reason"),
    identity: clip(r.identityClientId ?? r.identityId ?? "", "name"),
    evidence: Object.entries(f.evidence)
      .slice(0, 8)
      .map(([key, value]) => ({ key: clip(key, "name"), value: clip(value, "evidence") })),
    remediationText: clip(f.remediation.text, "text"),
    remediationCommand: clipMultiline(f.remediation.command ?? "", "command"),
    remediationShell: SHELL_LABELS.bash,
    controls: clip(f.controls.join(", "), "text"),
    detailsUrl: links.finding(f.id),
    docsUrl: safeUrl(f.docsUrl),
    openedAt: formatInstant(f.openedAt),
  };
}

/** A resolved finding: one line, with a link to its page where there are links. */
export function resolvedView(f: StoredFinding, links: Links): ResolvedView & { detailsUrl: string } {
  return {
    severityLabel: SEVERITY_LABELS[f.severity],
    severityColor: SEVERITY_COLORS[f.severity],
    checkId: f.checkId,
    title: clip(f.title, "title"),
    location: clip(findingLocation(f), "reason"),
    detailsUrl: links.finding(f.id),
  };
}
