/** Starts the benchmark's child processes (compiled siblings of this file) and waits for their one answer. */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FleetSpec, ScanJob, ScanMeasurement, ScannerChildMessage, SimulatorChildMessage } from "./protocol.js";

export type SimulatorStats = Omit<Extract<SimulatorChildMessage, { type: "closed" }>, "type">;
export type ReadySimulator = Extract<SimulatorChildMessage, { type: "ready" }> & { close(): Promise<SimulatorStats | undefined> };

/** A simulator serving a generated fleet in a process of its own; close() ends it. */
export async function startSimulatorChild(spec: FleetSpec, nodeFlags: readonly string[] = []): Promise<ReadySimulator> {
  // A 5,000-cluster fleet takes about a gigabyte in the simulator: give it room.
  const execArgv = ["--max-old-space-size=8192", ...nodeFlags];
  const child = fork(childPath("simulator-child.js"), [], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const message = await firstMessage<SimulatorChildMessage>(child, { type: "start", spec });
  if (message.type !== "ready") {
    child.kill();
    throw new Error(`simulator child: ${message.type === "error" ? message.message : "unexpected answer"}`);
  }
  return {
    ...message,
    close: () =>
      new Promise<SimulatorStats | undefined>((resolve) => {
        if (child.exitCode !== null) return resolve(undefined);
        let stats: SimulatorStats | undefined;
        child.once("message", (answer: SimulatorChildMessage) => {
          if (answer.type === "closed") stats = { cpuMs: answer.cpuMs, requests: answer.requests };
        });
        child.once("exit", () => resolve(stats));
        child.send({ type: "close" });
      }),
  };
}

/** One scan in a fresh scanner process, so that its peak RSS is its own. */
export async function runScannerChild(job: ScanJob, heapLimitMb = 0, nodeFlags: readonly string[] = []): Promise<ScanMeasurement> {
  const execArgv = [...(heapLimitMb > 0 ? [`--max-old-space-size=${heapLimitMb}`] : []), ...nodeFlags];
  const child = fork(childPath("scanner-child.js"), [], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const message = await firstMessage<ScannerChildMessage>(child, job);
  if (message.type === "error") throw new Error(`scanner child: ${message.message}`);
  return message.measurement;
}

function firstMessage<T>(child: ChildProcess, request: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`child process ended (exit code ${code}) before answering`));
    child.once("exit", onExit);
    child.once("error", reject);
    child.once("message", (message) => {
      child.off("exit", onExit);
      resolve(message as T);
    });
    child.send(request as object);
  });
}

function childPath(name: string): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url));
}
