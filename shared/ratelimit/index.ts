/** Request budgets shared by every instance of the app (Table Storage in the findings account). */
import type { TokenCredential } from "@azure/identity";
import type { WiscanConfig } from "../config/index.js";
import { checkTablePrefix, DEFAULT_TABLE_PREFIX, tableClientFactory } from "../store/index.js";
import { WindowCounter } from "./window-counter.js";

export { WindowCounter, RateLimitedError, HOUR_MS, type RateDecision } from "./window-counter.js";

export const RATE_LIMIT_TABLE_SUFFIX = "RateLimits";

export interface RateLimiterOptions {
  tablePrefix?: string;
  managedIdentityClientId?: string;
  credential?: TokenCredential;
  now?: () => Date;
}

/**
 * The counter table in the findings storage account (same identity, no new role), created when missing.
 *
 * @example
 * const counter = await createWindowCounter(loadConfig(process.env).store);
 */
export async function createWindowCounter(store: WiscanConfig["store"], options: RateLimiterOptions = {}): Promise<WindowCounter> {
  const name = checkTablePrefix(options.tablePrefix ?? DEFAULT_TABLE_PREFIX) + RATE_LIMIT_TABLE_SUFFIX;
  const client = tableClientFactory(store, {
    ...(options.managedIdentityClientId !== undefined && { managedIdentityClientId: options.managedIdentityClientId }),
    ...(options.credential !== undefined && { credential: options.credential }),
  })(name);
  const counter = new WindowCounter(client, options.now);
  await counter.ensureTable();
  return counter;
}
