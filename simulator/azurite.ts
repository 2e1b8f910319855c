/**
 * Starts the Azurite table service from the project's own `azurite` package on
 * a free loopback port, and stops it. Used by the demo (its local findings
 * store), the tests and the benchmarks; nothing is expected to be running beforehand.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, connect } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Azurite's published development account; not a secret. */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export function azuriteConnectionString(port: number, host = "127.0.0.1"): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=http://${host}:${port}/${AZURITE_ACCOUNT};`;
}

export interface RunningAzurite {
  port: number;
  connectionString: string;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Keep data in this folder; default: in memory, gone when stopped. */
  location?: string;
  /** Use this port instead of a free one (e.g. to restart on the same address). */
  port?: number;
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const port = options.port ?? (await freePort());
  const args = ["--tableHost", "127.0.0.1", "--tablePort", String(port), "--disableTelemetry", "--skipApiVersionCheck"];
  args.push(...(options.location !== undefined ? ["--location", options.location] : ["--inMemoryPersistence"]));
  const child = spawn(process.execPath, [azuriteTableEntry(), ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitForPort(port, child, () => stderr);
  } catch (error) {
    child.kill();
    throw error;
  }
  return { port, connectionString: azuriteConnectionString(port), stop: () => stopChild(child) };
}

/** The JavaScript entry of azurite-table, run with this Node (the .bin shim is a shell script on some systems). */
function azuriteTableEntry(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "node_modules", "azurite", "dist", "src", "table", "main.js");
    if (existsSync(candidate)) return candidate;
    const parent = resolve(dir, "..");
    if (parent === dir) throw new Error("the azurite package is not installed (npm ci installs it as a dev dependency)");
    dir = parent;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`azurite-table exited with code ${child.exitCode}: ${stderr()}`);
    if (await accepts(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`azurite-table did not accept connections on port ${port} within 30 s: ${stderr()}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolveAccepts) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolveAccepts(true);
    });
    socket.once("error", () => resolveAccepts(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    // Open keep-alive connections can hold the graceful close, so not forever.
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolveStop();
    });
    // SIGINT is Azurite's graceful shutdown: it writes a --location database to disk; SIGTERM would lose it.
    child.kill("SIGINT");
  });
}
