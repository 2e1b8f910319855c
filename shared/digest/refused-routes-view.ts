/**
 * The fleet digest's list of routing-tag entries that received nothing: the
 * default recipients (the security team) see whose tag names an address
 * outside the organisation, or something that is not an address, and fix it.
 * Only the domain is shown: the full outside address is not ours to spread.
 */
import type { DigestOptions, DigestView } from "./model.js";
import type { RefusedRoute } from "./routing.js";
import { clip } from "./text-bounds.js";

export const REFUSED_ROUTES_SHOWN = 50;

const REASONS: Record<RefusedRoute["reason"], string> = {
  "domain-not-allowed": "domain not allowed (DIGEST_ALLOWED_DOMAINS, or the domains of DIGEST_RECIPIENTS and DIGEST_SENDER)",
  "not-an-address": "not an email address",
};

export function refusedRoutesView(options: DigestOptions, subName: (id: string | undefined) => string): Pick<DigestView, "refusedRoutes" | "refusedRoutesMore"> {
  const refused = options.refusedRoutes ?? [];
  return {
    refusedRoutes: refused.slice(0, REFUSED_ROUTES_SHOWN).map((r) => ({
      subscription: subName(r.subscriptionId),
      domain: r.domain === "" ? "–" : clip(r.domain, "name"),
      reason: REASONS[r.reason],
    })),
    refusedRoutesMore: Math.max(0, refused.length - REFUSED_ROUTES_SHOWN),
  };
}
