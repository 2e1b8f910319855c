/**
 * The digest's list of suppressions about to expire: who accepted which risk,
 * why, until when, and what it hides, so the owner renews it (with a new
 * reason) or fixes the findings before they reappear as open. Every value is
 * an untrusted string and goes through clip(); templates escape it.
 */
import { findingLocation } from "../report/index.js";
import type { Suppression, SuppressionPattern } from "../suppressions/model.js";
import type { DigestData, DigestView, ExpiringSuppressionView } from "./model.js";
import { clip } from "./text-bounds.js";

export const EXPIRING_SUPPRESSIONS_SHOWN = 50;
/** Hidden findings named per suppression; the rest are counted. */
const HIDDEN_NAMED = 3;

export function expiringSuppressionsView(data: DigestData): Pick<DigestView, "expiringSuppressions" | "expiringSuppressionsMore"> {
  const expiring = data.expiringSuppressions ?? [];
  return {
    expiringSuppressions: expiring.slice(0, EXPIRING_SUPPRESSIONS_SHOWN).map((s) => suppressionView(s, data)),
    expiringSuppressionsMore: Math.max(0, expiring.length - EXPIRING_SUPPRESSIONS_SHOWN),
  };
}

function suppressionView(s: Suppression, data: DigestData): ExpiringSuppressionView {
  const hidden = data.suppressed.filter((f) => f.suppression?.id === s.id);
  const named = hidden.slice(0, HIDDEN_NAMED).map((f) => findingLocation(f));
  const rest = hidden.length - named.length;
  return {
    checkId: s.checkId,
    scope: clip(s.fleetWide === true ? `fleet-wide${s.pattern.subscription ? ` in ${s.pattern.subscription}` : ""}` : patternText(s.pattern), "reason"),
    createdBy: clip(s.createdBy, "name"),
    reason: clip(s.reason, "reason"),
    expiresAt: `${new Date(Date.parse(s.expiresAt)).toISOString().slice(0, 16).replace("T", " ")} UTC`,
    hides: clip(
      hidden.length === 0 ? "no stored finding now" : `${hidden.length} finding${hidden.length === 1 ? "" : "s"}: ${named.join("; ")}${rest > 0 ? `; and ${rest} more` : ""}`,
      "text",
    ),
  };
}

function patternText(p: SuppressionPattern): string {
  return (["subscription", "cluster", "namespace", "name", "identity"] as const)
    .filter((k) => p[k] !== undefined)
    .map((k) => `${k} ${p[k]}`)
    .join(", ");
}
