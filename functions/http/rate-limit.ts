/**
 * The budgets of the routes that cost something real: a scan (Resource Graph,
 * every cluster's API server, thousands of table writes) and a digest resend
 * (mail to people). Counted for the whole app, whoever calls, so a leaked
 * token or a looping script cannot run the fleet hot or flood inboxes.
 */
import { RateLimitedError } from "../../shared/ratelimit/index.js";
import { windowCounter } from "../runtime/rate-limiter.js";

export const RATE_LIMITED_ACTIONS = {
  startScan: { action: "scans-start", setting: "SCAN_START_LIMIT_PER_HOUR", what: "scan starts" },
  resendDigest: { action: "digests-resend", setting: "DIGEST_RESEND_LIMIT_PER_HOUR", what: "digest resends" },
} as const;

/** Spends one unit of the action's hourly budget, or throws RateLimitedError (429 with Retry-After, through respond()). */
export async function spendBudget(kind: keyof typeof RATE_LIMITED_ACTIONS, limitPerHour: number): Promise<void> {
  const { action, setting, what } = RATE_LIMITED_ACTIONS[kind];
  const decision = await (await windowCounter()).take(action, limitPerHour);
  if (!decision.allowed) {
    throw new RateLimitedError(decision.retryAfterSeconds, `at most ${limitPerHour} ${what} per hour (${setting}); try again in ${decision.retryAfterSeconds} s`);
  }
}
