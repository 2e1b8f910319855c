/**
 * `wiscan serve` as a user runs it: the compiled CLI in a child process,
 * against the configured store (an Azurite of its own: the CLI uses the
 * default table names, which the shared one must keep for other tests),
 * printing the URL it serves on; the console answers there as the caller
 * --roles names. (--demo runs the demo scan first; test/browser covers the
 * console itself.)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFindingsStore } from "../../shared/store/index.js";
import { startAzurite } from "../support/azurite.js";
import { CLI, wiscanIn } from "../support/cli.js";
import { health, saFinding, scanRun } from "../store/fixtures.js";

const cwd = mkdtempSync(join(tmpdir(), "wiscan-serve-"));
let child: ChildProcess | undefined;
let azurite: Awaited<ReturnType<typeof startAzurite>>;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  child?.kill("SIGINT");
  await azurite?.stop();
  rmSync(cwd, { recursive: true, force: true });
});

/** Starts the CLI and resolves with the URL it prints. */
function serve(env: Record<string, string>, ...args: string[]): Promise<string> {
  child = spawn(process.execPath, [CLI, "serve", ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child!.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /wiscan console: (http:\/\/127\.0\.0\.1:\d+\/api\/console)/.exec(out)?.[1];
      if (url !== undefined) resolve(url);
    });
    child!.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child!.once("exit", (code) => reject(new Error(`wiscan serve exited with ${code}: ${err}`)));
  });
}

describe("wiscan serve", () => {
  it("serves the configured store's findings on loopback as the caller --roles and --name say", async () => {
    const store = await createFindingsStore({ kind: "connection-string", connectionString: azurite.connectionString, retentionDays: 90 });
    const f = saFinding("aks-serve", "web", "frontend");
    await store.saveScan(scanRun("serve-scan", "2026-11-30T06:00:00.000Z", [health("aks-serve")], [f]), [f]);

    const url = await serve({ FINDINGS_STORAGE_CONNECTION_STRING: azurite.connectionString }, "--roles", "Findings.Read", "--name", "cli-reader@example.com");
    const page = await (await fetch(`${url}/findings/${f.id}`)).text();
    expect(page).toContain("Signed in as <b>cli-reader@example.com</b>");
    expect(page).toContain("aks-serve");
    expect(page).not.toContain('id="suppress-form"');
  });

  it("refuses an unknown role with exit code 2", async () => {
    const r = await wiscanIn(cwd, "serve", "--roles", "Findings.Read,Admin");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown role(s) Admin");
  });
});
