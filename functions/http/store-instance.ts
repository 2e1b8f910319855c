/**
 * The findings store the HTTP functions use: built from the app settings on
 * first use (never at import time, so registering the functions needs no
 * configuration), then shared by every invocation of this worker.
 */
import { loadConfig } from "../../shared/config/index.js";
import { createFindingsStore, type FindingsStore } from "../../shared/store/index.js";

let instance: Promise<FindingsStore> | undefined;

export function findingsStore(): Promise<FindingsStore> {
  if (!instance) {
    const config = loadConfig(process.env);
    instance = createFindingsStore(config.store, {
      ...(config.scanner.managedIdentityClientId !== undefined && { managedIdentityClientId: config.scanner.managedIdentityClientId }),
      suppressionMaxDays: config.suppressions.maxDays,
    });
    // A failed start (bad setting, storage unreachable) is retried on the next request, not cached.
    instance.catch(() => {
      instance = undefined;
    });
  }
  return instance;
}

/** Points the functions at a given store instead (tests, or a host that builds its own); undefined goes back to the settings. */
export function useFindingsStore(store: FindingsStore | undefined): void {
  instance = store === undefined ? undefined : Promise.resolve(store);
}
