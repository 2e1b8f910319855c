/** The compiled `wiscan` command as a user runs it: a child process with arguments, its stdout, stderr and exit code. */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const CLI = resolve("dist/shared/cli/main.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in this working directory, with these environment variables added to the test's own. */
export async function wiscanWith(env: Record<string, string>, cwd: string, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

export function wiscanIn(cwd: string, ...args: string[]): Promise<CliResult> {
  return wiscanWith({}, cwd, ...args);
}
