/**
 * `wiscan serve`: the web console on loopback (docs/console.md), with the
 * demo's store (--demo) or the configured one, as a local caller. With
 * --demo and no scan stored yet, it scans the demo fleet first, so a
 * newcomer sees the console with the demo's findings in one command.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { APP_ROLES, parseDevelopmentPrincipal, type AppRole } from "../auth/index.js";
import { environmentWithLocalSettings, loadConfig } from "../config/index.js";
import { CliError, EXIT } from "./exit-codes.js";
import { openStore, type OpenedStore } from "./store-access.js";

export interface RawServeOptions {
  demo?: boolean;
  as?: string;
  roles?: string;
  name?: string;
  port?: string;
}

export interface ServeCaller {
  id: string;
  name: string;
  roles: AppRole[];
}

const AS = { reader: [APP_ROLES.readFindings], admin: Object.values(APP_ROLES) } as const satisfies Record<string, readonly AppRole[]>;

/** The session's caller from --as, --roles and --name; validated as WISCAN_DEV_PRINCIPAL is. */
export function serveCaller(raw: RawServeOptions): ServeCaller {
  if (raw.as !== undefined && raw.roles !== undefined) throw new CliError(EXIT.usage, "give --as or --roles, not both");
  let roles: readonly string[];
  if (raw.roles !== undefined) roles = raw.roles.split(",").map((r) => r.trim()).filter((r) => r !== "");
  else {
    const as = raw.as ?? "admin";
    if (!Object.hasOwn(AS, as)) throw new CliError(EXIT.usage, `--as must be reader or admin (got "${as.slice(0, 40)}")`);
    roles = AS[as as keyof typeof AS];
  }
  const name = raw.name ?? "you@localhost";
  try {
    const parsed = parseDevelopmentPrincipal(JSON.stringify({ name, roles }));
    return { id: `local:${parsed.name}`, name: parsed.name, roles: parsed.roles as AppRole[] };
  } catch (error) {
    throw new CliError(EXIT.usage, (error as Error).message.replace("WISCAN_DEV_PRINCIPAL", "--roles/--name"));
  }
}

function parsePort(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw new CliError(EXIT.usage, `--port must be a port number from 0 to 65535 (got "${raw.slice(0, 20)}")`);
  return Number(raw);
}

export async function serveAction(raw: RawServeOptions): Promise<void> {
  const caller = serveCaller(raw);
  const port = parsePort(raw.port);
  const demo = raw.demo === true;
  const { startConsoleServer } = await loadConsole();
  const config = loadConfig(environmentWithLocalSettings(process.env));
  let opened = await open(config, demo);
  if (demo && (await opened.store.listScans({ pageSize: 1 })).items.length === 0) {
    process.stderr.write("wiscan: no scan in the demo's store yet: scanning the demo fleet first (as npm run demo does)\n");
    // The demo scan opens the same Azurite data directory: one process at a time.
    await opened.close();
    await runDemoScan();
    opened = await open(config, demo);
  }
  const server = await startConsoleServer({ store: opened.settings, caller, ...(port !== undefined && { port }) });
  process.stdout.write(`wiscan console: ${server.url}\n`);
  process.stderr.write(`signed in as ${caller.name} (${caller.roles.join(", ") || "no roles"}), store: ${opened.description}; Ctrl+C stops it\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.close();
  await opened.close();
}

/**
 * The console's handlers live with the Functions app (functions/), which the
 * npm package of the CLI does not ship (package.json "files"): from a clone
 * they are there.
 */
async function loadConsole(): Promise<typeof import("../console/local-server.js")> {
  try {
    return await import("../console/local-server.js");
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_MODULE_NOT_FOUND") {
      throw new CliError(EXIT.usage, "the web console's handlers are not part of this installation (the package ships the CLI only): run it from a clone: npm ci && npx wiscan serve --demo");
    }
    throw error;
  }
}

async function open(config: ReturnType<typeof loadConfig>, demo: boolean): Promise<OpenedStore> {
  const opened = await openStore(config, demo);
  if (opened === undefined) {
    throw new CliError(EXIT.usage, "no findings store configured: set FINDINGS_STORAGE_ACCOUNT_URL or FINDINGS_STORAGE_CONNECTION_STRING, or use --demo for the demo's local store");
  }
  return opened;
}

/** `wiscan scan --demo`, quietly, in a child process (its report goes to out/demo/serve-scan.json). */
async function runDemoScan(): Promise<void> {
  const main = fileURLToPath(new URL("./main.js", import.meta.url));
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [main, "scan", "--demo", "--quiet", "--output", "json", "--out", "out/demo/serve-scan.json"], { stdio: ["ignore", "ignore", "inherit"] });
    child.once("error", reject);
    child.once("exit", (c) => resolve(c));
  });
  // 5: findings at the threshold of a wiscan.yaml's failOn; the scan was stored all the same.
  if (code !== EXIT.ok && code !== EXIT.findingsAtThreshold) throw new CliError(EXIT.unexpected, `the demo scan failed (exit code ${String(code)}); run npm run demo to see why`);
}
