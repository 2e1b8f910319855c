/**
 * Who receives which digest. DIGEST_RECIPIENTS receive the whole fleet (the
 * security team); DIGEST_ROUTES and, optionally, a subscription tag
 * (DIGEST_ROUTE_TAG, e.g. owner-email) send each team the digest of its own
 * subscriptions. A person in several routes gets one digest of all their
 * subscriptions; a person on the fleet list gets only the fleet digest.
 * Addresses from the tag count only in the allowed domains (tag-domains.ts);
 * the others are refused and listed for the fleet digest.
 */
import { createHash } from "node:crypto";
import { DigestError } from "./errors.js";
import type { DigestAudience } from "./model.js";
import { domainOf } from "./tag-domains.js";

export interface DigestRoute {
  subscriptions: string[];
  recipients: string[];
}

export interface RoutingSettings {
  /** DIGEST_RECIPIENTS */
  defaultRecipients: readonly string[];
  /** Parsed DIGEST_ROUTES. */
  routes?: readonly DigestRoute[];
  /** DIGEST_ROUTE_TAG: the subscription tag whose value lists the owners' addresses. */
  routeTag?: string;
  /** Tags of each subscription, when routing by tag (the inventory reads them). */
  subscriptionTags?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Domains a tag's addresses must be in (allowedTagDomains); absent or empty: none is accepted. */
  allowedDomains?: readonly string[];
}

/** An entry of a subscription's routing tag that receives nothing, and why; reported in the fleet digest. */
export interface RefusedRoute {
  subscriptionId: string;
  /** The domain of the refused address, or "" when the entry is not an address. */
  domain: string;
  reason: "domain-not-allowed" | "not-an-address";
}

export interface RoutingPlan {
  audiences: DigestAudience[];
  refused: RefusedRoute[];
}

export const FLEET_AUDIENCE_ID = "fleet";

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;
const SUBSCRIPTION = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Parses DIGEST_ROUTES: entries separated by ";", each
 * "<subscription id>[,<subscription id>...]=<address>[,<address>...]".
 *
 * @example
 * parseDigestRoutes("0000…0001=payments@contoso.com;0000…0002,0000…0003=web@contoso.com,lead@contoso.com")
 */
export function parseDigestRoutes(value: string | undefined): DigestRoute[] {
  if (value === undefined || value.trim() === "") return [];
  return value
    .split(";")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const eq = entry.indexOf("=");
      if (eq < 0) throw new DigestError("invalid-routes", `DIGEST_ROUTES entry "${entry.slice(0, 120)}" needs the form <subscription id>[,...]=<address>[,...]`);
      const subscriptions = splitList(entry.slice(0, eq));
      const recipients = splitList(entry.slice(eq + 1));
      const badSub = subscriptions.find((s) => !SUBSCRIPTION.test(s));
      if (badSub !== undefined || subscriptions.length === 0) throw new DigestError("invalid-routes", `DIGEST_ROUTES entry "${entry.slice(0, 120)}": "${badSub ?? ""}" is not a subscription id`);
      const badAddress = recipients.find((r) => !EMAIL.test(r));
      if (badAddress !== undefined || recipients.length === 0) throw new DigestError("invalid-routes", `DIGEST_ROUTES entry "${entry.slice(0, 120)}": "${badAddress ?? ""}" is not an email address`);
      return { subscriptions: subscriptions.map((s) => s.toLowerCase()), recipients };
    });
}

/** The digests to build for a scan of these subscriptions: the fleet one first, then one per team. */
export function planAudiences(settings: RoutingSettings, scannedSubscriptions: readonly string[]): DigestAudience[] {
  return planRouting(settings, scannedSubscriptions).audiences;
}

/** The audiences, and the tag entries refused (outside the allowed domains, or not addresses) in the scanned subscriptions. */
export function planRouting(settings: RoutingSettings, scannedSubscriptions: readonly string[]): RoutingPlan {
  const scanned = new Set(scannedSubscriptions.map((s) => s.toLowerCase()));
  const fleet = dedupe(settings.defaultRecipients);
  const onFleetList = new Set(fleet.map((r) => r.toLowerCase()));

  // recipient (lower-cased) -> the subscriptions routed to them
  const routed = new Map<string, { address: string; subscriptions: Set<string> }>();
  const route = (address: string, subscription: string) => {
    const key = address.toLowerCase();
    if (onFleetList.has(key) || !scanned.has(subscription)) return;
    const entry = routed.get(key) ?? { address, subscriptions: new Set<string>() };
    entry.subscriptions.add(subscription);
    routed.set(key, entry);
  };
  for (const r of settings.routes ?? []) for (const sub of r.subscriptions) for (const address of r.recipients) route(address, sub.toLowerCase());
  const refused: RefusedRoute[] = [];
  if (settings.routeTag !== undefined && settings.subscriptionTags) {
    const tag = settings.routeTag.toLowerCase();
    const allowed = new Set((settings.allowedDomains ?? []).map((d) => d.toLowerCase()));
    for (const [sub, tags] of settings.subscriptionTags) {
      const subscriptionId = sub.toLowerCase();
      if (!scanned.has(subscriptionId)) continue;
      const value = Object.entries(tags).find(([k]) => k.toLowerCase() === tag)?.[1];
      // A tag is free text anyone with tag write access sets: only well-formed addresses in the organisation's domains are used.
      for (const entry of splitList(value ?? "")) {
        if (!EMAIL.test(entry)) refused.push({ subscriptionId, domain: "", reason: "not-an-address" });
        else if (!allowed.has(domainOf(entry) ?? "")) refused.push({ subscriptionId, domain: domainOf(entry) ?? "", reason: "domain-not-allowed" });
        else route(entry, subscriptionId);
      }
    }
  }

  // People with the same subscriptions share one message.
  const teams = new Map<string, { subscriptions: string[]; recipients: string[] }>();
  for (const { address, subscriptions } of routed.values()) {
    const subs = [...subscriptions].sort();
    const key = subs.join(",");
    const team = teams.get(key) ?? { subscriptions: subs, recipients: [] };
    team.recipients.push(address);
    teams.set(key, team);
  }

  const audiences: DigestAudience[] = [];
  if (fleet.length > 0) audiences.push({ id: FLEET_AUDIENCE_ID, recipients: fleet });
  for (const team of [...teams.values()].sort((a, b) => a.subscriptions.join().localeCompare(b.subscriptions.join()))) {
    audiences.push({ id: teamAudienceId(team.subscriptions), subscriptions: team.subscriptions, recipients: team.recipients.sort() });
  }
  return { audiences, refused: dedupeRefused(refused) };
}

/** One line per subscription, domain and reason: the same outside address twice is one problem. */
function dedupeRefused(refused: readonly RefusedRoute[]): RefusedRoute[] {
  const byKey = new Map(refused.map((r) => [`${r.subscriptionId}|${r.domain}|${r.reason}`, r]));
  return [...byKey.values()].sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId) || a.domain.localeCompare(b.domain) || a.reason.localeCompare(b.reason));
}

/** Stable for a set of subscriptions, so a team's trend continues from week to week. */
export function teamAudienceId(subscriptions: readonly string[]): string {
  const key = [...new Set(subscriptions.map((s) => s.toLowerCase()))].sort().join(",");
  return `subs-${createHash("sha256").update(key).digest("hex").slice(0, 16)}`;
}

function splitList(value: string): string[] {
  return value
    .split(/[,;\s]+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

function dedupe(addresses: readonly string[]): string[] {
  const seen = new Set<string>();
  return addresses.filter((a) => {
    const key = a.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
