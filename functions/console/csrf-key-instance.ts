/**
 * The CSRF key the console's handlers use: read (or made) in the findings
 * storage account on first use, then kept for the worker. `wiscan serve` and
 * tests hand in their own (useCsrfKey).
 */
import { loadConfig } from "../../shared/config/index.js";
import { DEFAULT_TABLE_PREFIX, tableClientFactory } from "../../shared/store/index.js";
import { CONSOLE_TABLE_SUFFIX, loadOrCreateCsrfKey } from "../../shared/console/csrf-key.js";

let instance: Promise<Buffer> | undefined;

export function csrfKey(): Promise<Buffer> {
  if (!instance) {
    const config = loadConfig(process.env);
    const table = tableClientFactory(config.store, {
      ...(config.scanner.managedIdentityClientId !== undefined && { managedIdentityClientId: config.scanner.managedIdentityClientId }),
    })(`${DEFAULT_TABLE_PREFIX}${CONSOLE_TABLE_SUFFIX}`);
    instance = table.createTable().then(() => loadOrCreateCsrfKey(table));
    // A failed start (storage unreachable) is retried on the next request, not cached.
    instance.catch(() => {
      instance = undefined;
    });
  }
  return instance;
}

/** Uses the given key instead of the stored one; undefined goes back to the store. */
export function useCsrfKey(key: Buffer | undefined): void {
  instance = key === undefined ? undefined : Promise.resolve(key);
}
