/**
 * The subscriptions' display names a scan keeps, so that what reads stored
 * scans later (the console, resent digests) can name subscriptions as people
 * know them. A display name is tenant data: bounded in count and length.
 */
import type { Subscription } from "../inventory/model.js";

export const MAX_SUBSCRIPTION_NAMES = 2_000;
export const MAX_SUBSCRIPTION_NAME_LENGTH = 128;

export function subscriptionNamesOf(subscriptions: readonly Subscription[]): Record<string, string> {
  const names: Record<string, string> = {};
  let kept = 0;
  for (const s of subscriptions) {
    if (kept >= MAX_SUBSCRIPTION_NAMES) break;
    const name = s.displayName?.trim();
    if (name === undefined || name === "") continue;
    names[s.subscriptionId.toLowerCase()] = name.slice(0, MAX_SUBSCRIPTION_NAME_LENGTH);
    kept++;
  }
  return names;
}

/** The names as the digest view takes them. */
export function subscriptionNameMap(names: Readonly<Record<string, string>> | undefined): Map<string, string> {
  return new Map(Object.entries(names ?? {}));
}
