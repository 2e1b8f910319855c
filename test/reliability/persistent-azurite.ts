/**
 * An Azurite table service of a test's own that keeps its data on disk and can
 * be stopped and started again on the same port. Stopped with SIGINT, the one
 * signal on which azurite-table saves its database before exiting (SIGTERM
 * ends it at once and loses up to five seconds of writes, which would be
 * Azurite's loss, not ours).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { azuriteConnectionString } from "../support/azurite.js";

const ENTRY = fileURLToPath(new URL("../../node_modules/azurite/dist/src/table/main.js", import.meta.url));

export interface PersistentAzurite {
  connectionString: string;
  stop(): Promise<void>;
}

export async function startPersistentAzurite(location: string, port: number): Promise<PersistentAzurite> {
  const args = ["--tableHost", "127.0.0.1", "--tablePort", String(port), "--disableTelemetry", "--skipApiVersionCheck", "--location", location];
  const child = spawn(process.execPath, [ENTRY, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const deadline = Date.now() + 30_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`azurite-table did not start on port ${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { connectionString: azuriteConnectionString(port), stop: () => stopGracefully(child) };
}

function stopGracefully(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // It saves, closes its server and exits; open keep-alive connections can hold the close, so not forever.
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGINT");
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
