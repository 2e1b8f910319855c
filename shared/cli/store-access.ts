/**
 * The findings store the CLI reads and writes: the one the configuration names,
 * or with --demo the demo's local Azurite, whose data lives in .wiscan/azurite
 * (git-ignored) so that a second demo run shows history and `wiscan findings
 * --demo` works on its own afterwards.
 */
import { resolve } from "node:path";
import type { WiscanConfig } from "../config/index.js";
import { createFindingsStore, type FindingsStore } from "../store/index.js";
import { CliError, EXIT } from "./exit-codes.js";
import { probeStore, storeError, storeSetting } from "./preflight.js";

export const DEMO_STORE_DIR = ".wiscan/azurite";

/**
 * Azurite is a development dependency, not a dependency of the installed tool
 * (it would double an install's size for the demo's history; README,
 * "Install"). The demo uses it when it is installed next to wiscan.
 */
export function demoStoreInstalled(): boolean {
  try {
    import.meta.resolve("azurite/package.json");
    return true;
  } catch {
    return false;
  }
}

export const DEMO_STORE_MISSING =
  "the demo's local store needs Azurite, which is not installed next to wiscan: npm install -g azurite@3.35.0 (or npx -p wiscan -p azurite@3.35.0 wiscan ...), or run the demo from a clone (npm ci)";

export interface OpenedStore {
  store: FindingsStore;
  /** How to reach its account, for the other tables beside the findings (the digest archive). */
  settings: Exclude<WiscanConfig["store"], { kind: "none" }>;
  /** Where it is, for messages. */
  description: string;
  close(): Promise<void>;
}

export async function openStore(config: WiscanConfig, demo: boolean): Promise<OpenedStore | undefined> {
  if (!demo) {
    if (config.store.kind === "none") return undefined;
    // Fails fast, with a message naming the setting, when the store cannot be reached or read.
    const settings = config.store;
    const endpoint = await probeStore(settings, config.scanner.managedIdentityClientId);
    const store = await createFindingsStore(settings, {
      ...(config.scanner.managedIdentityClientId !== undefined && { managedIdentityClientId: config.scanner.managedIdentityClientId }),
    }).catch((error: unknown) => {
      throw storeError(storeSetting(settings), endpoint, error) ?? error;
    });
    const description = config.store.kind === "account-url" ? config.store.accountUrl : "the store of FINDINGS_STORAGE_CONNECTION_STRING";
    return { store, settings: config.store, description, close: async () => {} };
  }
  if (!demoStoreInstalled()) throw new CliError(EXIT.usage, DEMO_STORE_MISSING);
  const { startAzurite } = await import("../../simulator/azurite.js");
  const location = resolve(DEMO_STORE_DIR);
  let azurite;
  try {
    azurite = await startAzurite({ location });
  } catch (error) {
    throw new CliError(EXIT.unexpected, `could not start the demo's local Azurite: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const settings = { kind: "connection-string" as const, connectionString: azurite.connectionString, retentionDays: config.store.retentionDays };
    const store = await createFindingsStore(settings);
    return { store, settings, description: `the demo's local Azurite (${location})`, close: () => azurite.stop() };
  } catch (error) {
    await azurite.stop();
    throw error;
  }
}
