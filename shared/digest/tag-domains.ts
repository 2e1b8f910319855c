/**
 * Which mail domains addresses from the routing tag (DIGEST_ROUTE_TAG) may be
 * in. A subscription tag is written by whoever may tag the subscription, often
 * a wider group than those who may read a fleet's security findings, so a tag
 * must not be able to send findings outside the organisation.
 *
 * DIGEST_ALLOWED_DOMAINS when set; otherwise the domains of DIGEST_RECIPIENTS
 * and DIGEST_SENDER, which the operator chose and which are the organisation's
 * own. With neither, no tag address is accepted.
 */
import type { WiscanConfig } from "../config/index.js";

export function allowedTagDomains(digest: Pick<WiscanConfig["digest"], "allowedDomains" | "recipients" | "sender">): string[] {
  const configured = digest.allowedDomains ?? [];
  const domains = configured.length > 0 ? configured : [...digest.recipients, ...(digest.sender !== undefined ? [digest.sender] : [])].map(domainOf);
  return [...new Set(domains.filter((d): d is string => d !== undefined).map((d) => d.toLowerCase()))].sort();
}

/** The part after the last "@", lower-cased; undefined when there is none. */
export function domainOf(address: string): string | undefined {
  const at = address.lastIndexOf("@");
  return at < 0 || at === address.length - 1 ? undefined : address.slice(at + 1).toLowerCase();
}
