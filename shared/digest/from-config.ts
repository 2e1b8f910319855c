/**
 * The digest settings of a scan from the configuration and the scan's
 * inventory: the routes come from DIGEST_ROUTES, the display names and
 * (with DIGEST_ROUTE_TAG) the tags from the inventory's subscriptions. The
 * Durable digest step, the demo and the resend paths all build them here.
 */
import type { WiscanConfig } from "../config/index.js";
import type { Subscription } from "../inventory/model.js";
import type { DigestSettings, RetryPolicy } from "./deliver.js";

export function digestSettingsFromConfig(
  config: Pick<WiscanConfig, "digest">,
  subscriptions: readonly Subscription[] = [],
  options: { retry?: RetryPolicy } = {},
): DigestSettings {
  const { routes, routeTag } = config.digest;
  const subscriptionNames = new Map<string, string>();
  const subscriptionTags = new Map<string, Readonly<Record<string, string>>>();
  for (const s of subscriptions) {
    const id = s.subscriptionId.toLowerCase();
    if (s.displayName !== undefined && s.displayName !== "") subscriptionNames.set(id, s.displayName);
    if (s.tags !== undefined) subscriptionTags.set(id, s.tags);
  }
  return {
    digest: config.digest,
    ...(routes !== undefined && routes.length > 0 && { routes }),
    ...(routeTag !== undefined && { routeTag, subscriptionTags }),
    ...(subscriptionNames.size > 0 && { subscriptionNames }),
    ...(options.retry !== undefined && { retry: options.retry }),
  };
}
