/**
 * Checks made before any work, so that a mistake a person can fix costs a
 * one-line message and exit 2 (README, "CLI exit codes") instead of a long
 * scan that ends in a stack trace:
 *
 * - `--out` / `--html`: the path can be written (not a directory, its
 *   directory exists or can be created, permission granted). Checked by doing
 *   what the final write does minus the content: create the missing
 *   directories, then create and remove an empty file (or open an existing one
 *   for writing, without changing it).
 * - the findings store (FINDINGS_STORAGE_CONNECTION_STRING or
 *   FINDINGS_STORAGE_ACCOUNT_URL): at most two requests, neither retried.
 *   First a plain GET of the table endpoint, no credential involved: any HTTP
 *   answer means reachable; a refused connection, a host name that does not
 *   resolve or no answer within REACH_TIMEOUT_MS (10 s) is an unreachable store.
 *   Then one authenticated read of one row of the scans table, bounded by
 *   ACCESS_TIMEOUT_MS (30 s, token acquisition included, since `az` can take
 *   several seconds): 401/403 is access refused (exit 2), no credential is
 *   exit 3, a missing table is fine (it is created on first use).
 * A malformed connection string never gets here: the configuration rejects it.
 */
import { mkdir, open, stat, unlink } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { createDefaultHttpClient, createPipelineRequest, isRestError } from "@azure/core-rest-pipeline";
import type { TableClient } from "@azure/data-tables";
import type { WiscanConfig } from "../config/index.js";
import { DEFAULT_TABLE_PREFIX, tableClientFactory, tableNames } from "../store/factory.js";
import { CliError, EXIT } from "./exit-codes.js";
import type { ScanCommandOptions } from "./scan-options.js";

export const REACH_TIMEOUT_MS = 10_000;
export const ACCESS_TIMEOUT_MS = 30_000;

export type ConfiguredStore = Exclude<WiscanConfig["store"], { kind: "none" }>;

/**
 * `wiscan scan`, before anything is scanned: the files it will write, and the
 * store it will save to (not with --no-store, nor --demo's own local store).
 */
export async function preflightScan(options: Pick<ScanCommandOptions, "out" | "html" | "store" | "demo">, config: WiscanConfig): Promise<void> {
  if (options.out !== undefined) await checkWritableFile("--out", options.out);
  if (options.html !== undefined) await checkWritableFile("--html", options.html);
  if (options.store && !options.demo && config.store.kind !== "none") await probeStore(config.store, config.scanner.managedIdentityClientId);
}

/** Throws a CliError (exit 2) naming `option` when `path` cannot be written as a file. */
export async function checkWritableFile(option: string, path: string): Promise<void> {
  const fail = (what: string): never => {
    throw new CliError(EXIT.usage, `${option} "${path}": ${what}`);
  };
  const existing = await stat(path).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    return fail(await fileProblem(error, path));
  });
  if (existing?.isDirectory()) return fail("is a directory; name a file to write");
  if (existing !== undefined) {
    // Open for writing without truncating: proves permission, changes nothing.
    const handle = await open(path, "r+").catch(async (error: NodeJS.ErrnoException) => fail(`cannot be written (${await fileProblem(error, path)})`));
    await handle.close();
    return;
  }
  const directory = dirname(resolve(path));
  await mkdir(directory, { recursive: true }).catch(async (error: NodeJS.ErrnoException) => fail(`its directory cannot be created (${await fileProblem(error, directory)})`));
  const handle = await open(path, "wx").catch(async (error: NodeJS.ErrnoException) => fail(`cannot be written (${await fileProblem(error, directory)})`));
  await handle.close();
  await unlink(path);
}

async function fileProblem(error: NodeJS.ErrnoException, where: string): Promise<string> {
  switch (error.code) {
    case "EACCES":
    case "EPERM":
      return `permission denied (${where})`;
    case "EROFS":
      return "read-only file system";
    case "ENOTDIR":
    case "EEXIST":
      return `${await existingAncestor(where)} is a file, not a directory`;
    case "ENOENT":
      return `${where} does not exist and cannot be created there`;
    case "EISDIR":
      return "it is a directory";
    case "ENAMETOOLONG":
      return "the name is too long";
    default:
      return error.code ?? error.message.split("\n")[0] ?? "unknown error";
  }
}

/** The nearest part of `path` that exists (the file in the way of a directory). */
async function existingAncestor(path: string): Promise<string> {
  for (let p = resolve(path); ; p = dirname(p)) {
    if ((await stat(p).catch(() => undefined)) !== undefined || dirname(p) === p) return p;
  }
}

/** The setting that names the store, for messages. */
export function storeSetting(store: ConfiguredStore): string {
  return store.kind === "account-url" ? "FINDINGS_STORAGE_ACCOUNT_URL" : "FINDINGS_STORAGE_CONNECTION_STRING";
}

/**
 * Proves the configured store answers and lets this identity read, in bounded
 * time (see the module comment); throws a CliError naming the setting when not.
 * Returns the table endpoint, without any SAS query, for messages.
 */
export async function probeStore(store: ConfiguredStore, managedIdentityClientId?: string): Promise<string> {
  const setting = storeSetting(store);
  let client: TableClient;
  try {
    client = tableClientFactory(store, {
      ...(managedIdentityClientId !== undefined && { managedIdentityClientId }),
      clientOptions: { retryOptions: { maxRetries: 0 } },
    })(tableNames(DEFAULT_TABLE_PREFIX).scans);
  } catch (error) {
    // The configuration's check should have caught it; the SDK has the last word.
    throw new CliError(EXIT.usage, `${setting}: is not a valid store setting: ${firstLine(error)}`);
  }
  const endpoint = publicEndpoint(client.url);

  try {
    await bounded(REACH_TIMEOUT_MS, (abortSignal) =>
      createDefaultHttpClient().sendRequest(createPipelineRequest({ url: endpoint, method: "GET", abortSignal, allowInsecureConnection: true })),
    );
  } catch (error) {
    throw unreachable(setting, endpoint, error, REACH_TIMEOUT_MS);
  }

  try {
    await bounded(ACCESS_TIMEOUT_MS, (abortSignal) => client.listEntities({ abortSignal }).byPage({ maxPageSize: 1 }).next());
  } catch (error) {
    // No scans table yet: reachable and allowed (the store creates its tables).
    if (!(isRestError(error) && error.statusCode === 404)) throw storeError(setting, endpoint, error) ?? error;
  }
  return endpoint;
}

/**
 * A CliError for a store failure a person can fix (unreachable, access
 * refused, no credential); undefined for anything else, which stays a bug.
 */
export function storeError(setting: string, endpoint: string, error: unknown): CliError | undefined {
  if (isCredentialError(error)) {
    return new CliError(
      EXIT.noCredential,
      `${setting}: no Azure credential to reach the findings store at ${endpoint}: sign in with "az login" (or set AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET, or run with a managed identity). ${firstLine(error)}`,
    );
  }
  if (error instanceof Error && /allowInsecureConnection is false/.test(error.message)) {
    // The factory allows plain http only for Azurite's form of the connection string.
    return new CliError(
      EXIT.usage,
      `${setting}: the findings store at ${endpoint} is plain http: use https, or start the connection string with DefaultEndpointsProtocol=http; (Azurite)`,
    );
  }
  if (isRestError(error) && error.statusCode !== undefined) {
    const status = `${error.statusCode}${error.code !== undefined ? ` ${error.code}` : ""}`;
    if (error.statusCode === 401 || error.statusCode === 403) {
      const fix =
        setting === "FINDINGS_STORAGE_ACCOUNT_URL"
          ? "grant this identity Storage Table Data Contributor on the storage account"
          : "check the AccountKey or SharedAccessSignature";
      return new CliError(EXIT.usage, `${setting}: the findings store at ${endpoint} refused access (${status}): ${fix}`);
    }
    if (error.statusCode >= 500) return new CliError(EXIT.usage, `${setting}: the findings store at ${endpoint} is not available (${status}); try again later`);
    return undefined;
  }
  if (isNetworkError(error)) return unreachable(setting, endpoint, error, ACCESS_TIMEOUT_MS);
  return undefined;
}

function unreachable(setting: string, endpoint: string, error: unknown, timeoutMs: number): CliError {
  return new CliError(EXIT.usage, `${setting}: the findings store at ${endpoint} is not reachable (${networkReason(error, timeoutMs)}); check the setting, and that the storage account (or Azurite) is running`);
}

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name could not be resolved",
  ETIMEDOUT: "connection timed out",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
};

function networkReason(error: unknown, timeoutMs: number): string {
  if (isTimeout(error)) return `no answer within ${timeoutMs / 1000} s`;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && code in NETWORK_REASONS) return `${NETWORK_REASONS[code]}, ${code}`;
  return firstLine(error);
}

function isNetworkError(error: unknown): boolean {
  if (isTimeout(error)) return true;
  const code = (error as { code?: unknown } | undefined)?.code;
  return (isRestError(error) && error.statusCode === undefined) || (typeof code === "string" && code in NETWORK_REASONS);
}

function isTimeout(error: unknown): boolean {
  return error instanceof ProbeTimeout || (error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError"));
}

function isCredentialError(error: unknown): boolean {
  // @azure/identity's CredentialUnavailableError, AuthenticationError and AggregateAuthenticationError.
  return error instanceof Error && /^(CredentialUnavailableError|AuthenticationError|AggregateAuthenticationError)$/.test(error.name);
}

class ProbeTimeout extends Error {
  override readonly name = "ProbeTimeout";
}

/** Runs `operation` with an abort signal, and gives up after `ms` even if the operation ignores the signal. */
async function bounded<T>(ms: number, operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ProbeTimeout(`no answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([operation(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The endpoint without its query: a SAS connection string's signature stays out of messages. */
function publicEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`.replace(/\/$/, "");
  } catch {
    return url.split("?")[0] ?? "";
  }
}

/** The first line of an error's message, without any SAS signature an SDK message may quote in a URL. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split("\n")[0] ?? "").replace(/([?&;]sig=)[^&;\s]*/gi, "$1***");
}
