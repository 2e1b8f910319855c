/**
 * The request counter the HTTP functions share: built from the app settings on
 * first use (the findings storage account), then kept for the worker. Tests
 * hand in their own, e.g. two counters on one table to act as two instances.
 */
import { loadConfig } from "../../shared/config/index.js";
import { createWindowCounter, type WindowCounter } from "../../shared/ratelimit/index.js";

let instance: Promise<WindowCounter> | undefined;

export function windowCounter(): Promise<WindowCounter> {
  if (!instance) {
    const config = loadConfig(process.env);
    instance = createWindowCounter(config.store, {
      ...(config.scanner.managedIdentityClientId !== undefined && { managedIdentityClientId: config.scanner.managedIdentityClientId }),
    });
    // A failed start (storage unreachable) is retried on the next request, not cached.
    instance.catch(() => {
      instance = undefined;
    });
  }
  return instance;
}

/** Uses the given counter instead of the settings' one; undefined goes back to the settings. */
export function useWindowCounter(counter: WindowCounter | undefined): void {
  instance = counter === undefined ? undefined : Promise.resolve(counter);
}
