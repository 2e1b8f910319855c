/**
 * Builds a FindingsStore from the store section of the configuration: a
 * connection string (Azurite, local development) or an account URL reached
 * with a managed identity (production: no keys anywhere).
 */
import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from "@azure/identity";
import type { WiscanConfig } from "../config/index.js";
import { StoreNotConfiguredError } from "./errors.js";
import { FindingsStore, type FindingsStoreOptions, type FindingsTables } from "./store.js";

export const DEFAULT_TABLE_PREFIX = "wiscan";

export const TABLE_SUFFIXES = {
  scans: "Scans",
  findings: "Findings",
  active: "ActiveFindings",
  history: "FindingHistory",
  suppressions: "Suppressions",
} as const satisfies Record<keyof FindingsTables, string>;

export interface StoreConnectionOptions extends FindingsStoreOptions {
  /** Table names start with this; letters and digits, starting with a letter. */
  tablePrefix?: string;
  /** Client id of a user-assigned managed identity, for the account-URL form. */
  managedIdentityClientId?: string;
  /** Overrides the credential of the account-URL form (e.g. the CLI's own az login). */
  credential?: TokenCredential;
  clientOptions?: TableServiceClientOptions;
}

/** Table names are a prefix plus a suffix; Azure allows letters and digits, starting with a letter. */
export function checkTablePrefix(prefix: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(prefix)) {
    throw new RangeError(`table prefix "${prefix}" must start with a letter and hold at most 41 letters and digits`);
  }
  return prefix;
}

export function tableNames(prefix: string): Record<keyof FindingsTables, string> {
  checkTablePrefix(prefix);
  return Object.fromEntries(Object.entries(TABLE_SUFFIXES).map(([k, suffix]) => [k, prefix + suffix])) as Record<keyof FindingsTables, string>;
}

/**
 * Table clients on the findings storage account, reached as the configuration
 * says: a connection string (Azurite) or the account URL with a managed
 * identity. The store and the digest archive both use it. Throws
 * StoreNotConfiguredError when no storage is configured.
 */
export function tableClientFactory(
  store: WiscanConfig["store"],
  options: Pick<StoreConnectionOptions, "managedIdentityClientId" | "credential" | "clientOptions"> = {},
): (name: string) => TableClient {
  const clientOptions = options.clientOptions ?? {};
  switch (store.kind) {
    case "connection-string":
      return (name) =>
        TableClient.fromConnectionString(store.connectionString, name, {
          // Azurite speaks plain http on loopback; a connection string to it says so explicitly.
          allowInsecureConnection: /^DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true/i.test(store.connectionString),
          ...clientOptions,
        });
    case "account-url": {
      const credential =
        options.credential ??
        (options.managedIdentityClientId !== undefined
          ? new ManagedIdentityCredential({ clientId: options.managedIdentityClientId })
          : new DefaultAzureCredential());
      return (name) => new TableClient(store.accountUrl, name, credential, clientOptions);
    }
    case "none":
      throw new StoreNotConfiguredError("No findings store is configured: set FINDINGS_STORAGE_ACCOUNT_URL (production) or FINDINGS_STORAGE_CONNECTION_STRING (Azurite)");
    default:
      throw new Error(`unknown store kind ${(store as { kind: string }).kind}`);
  }
}

/**
 * The store named by the configuration, with its tables created.
 *
 * @example
 * const store = await createFindingsStore(loadConfig(process.env).store);
 */
export async function createFindingsStore(store: WiscanConfig["store"], options: StoreConnectionOptions = {}): Promise<FindingsStore> {
  const names = tableNames(options.tablePrefix ?? DEFAULT_TABLE_PREFIX);
  const client = tableClientFactory(store, options);
  const tables = Object.fromEntries(Object.entries(names).map(([k, name]) => [k, client(name)])) as unknown as FindingsTables;
  const findingsStore = new FindingsStore(tables, options);
  await findingsStore.ensureTables();
  return findingsStore;
}
