/**
 * The shell of AKS's run-command pod, as much of it as the scanner's commands
 * use: words and single- or double-quoted strings (no expansion), lists joined
 * by `;`, `||` and `&&`, pipelines joined by `|`, and the programs kubectl,
 * jq, echo and true. The pod "provides `kubectl` and `helm` ... `jq`,
 * `xargs`, `grep`, and `awk` are available for Bash support" (azure-aks-docs,
 * articles/aks/access-private-cluster.md).
 *
 * As in a POSIX shell: `a ; b` runs both and ends with b's status, `a || b`
 * runs b only when a failed, `a && b` only when a succeeded, a pipeline ends
 * with the status of its last program (no pipefail) and only stdout flows
 * down it, stderr goes to the output as it is. jq is the real one, jq 1.7
 * compiled to WebAssembly (the jq-web package), so a filter behaves here as
 * on the command pod. kubectl's JSON reaches jq without its indentation,
 * which changes nothing jq prints (JSON whitespace is insignificant) and
 * spares the WebAssembly build most of its parsing time.
 */
import { createRequire } from "node:module";
import type CompiledJqPromise from "jq-web";
import { kubectl, type ClusterInside, type CommandRun } from "./kubectl.js";

/** jq-web's CommonJS export is the promise itself, which ESM interop (Node's or a test runner's) may wrap: required as it is. */
const compiledJq = (): typeof CompiledJqPromise => createRequire(import.meta.url)("jq-web") as typeof CompiledJqPromise;

export interface ShellRun {
  exitCode: number;
  /** stdout and stderr together, as run command returns them. */
  logs: string;
}

type Token = { word: string } | { operator: ";" | "||" | "&&" | "|" };

/** Runs a command line inside the cluster. A line this shell cannot read ends with status 2, as sh's syntax errors do. */
export async function runShell(cluster: ClusterInside, line: string): Promise<ShellRun> {
  const tokens = tokenize(line);
  if (typeof tokens === "string") return { exitCode: 2, logs: `sh: ${tokens}\n` };
  let logs = "";
  let exitCode = 0;
  let joiner: ";" | "||" | "&&" = ";";
  let pipeline: string[][] = [[]];
  const runPipeline = async () => {
    const skip = (joiner === "||" && exitCode === 0) || (joiner === "&&" && exitCode !== 0);
    if (pipeline.some((command) => command.length === 0)) return "syntax error: a command is missing";
    if (skip) return undefined;
    let stdin = "";
    for (const command of pipeline) {
      const run = await program(cluster, command, stdin);
      exitCode = run.exitCode;
      // A program that fails prints only to stderr, unless it says what went to each (run.stderr).
      const printedStdout = run.exitCode === 0 || run.stderr !== undefined;
      logs += run.stderr ?? (printedStdout ? "" : run.output);
      if (printedStdout) stdin = command === pipeline.at(-1) || run.json === undefined ? run.output : JSON.stringify(run.json);
      else stdin = "";
    }
    logs += stdin;
    return undefined;
  };
  for (const token of tokens) {
    if ("word" in token) {
      pipeline[pipeline.length - 1]!.push(token.word);
      continue;
    }
    if (token.operator === "|") {
      pipeline.push([]);
      continue;
    }
    const error = await runPipeline();
    if (error) return { exitCode: 2, logs: `${logs}sh: ${error}\n` };
    joiner = token.operator;
    pipeline = [[]];
  }
  if (pipeline.length > 1 || (pipeline[0] ?? []).length > 0) {
    const error = await runPipeline();
    if (error) return { exitCode: 2, logs: `${logs}sh: ${error}\n` };
  }
  return { exitCode, logs };
}

async function program(cluster: ClusterInside, words: readonly string[], stdin: string): Promise<CommandRun> {
  const [name, ...args] = words;
  switch (name) {
    case "kubectl":
      return kubectl(cluster, args);
    case "jq":
      return jq(args, stdin);
    case "echo":
      return { exitCode: 0, output: `${args.join(" ")}\n` };
    case "true":
      return { exitCode: 0, output: "" };
    default:
      return { exitCode: 127, output: `sh: ${name}: the fleet simulator's run command has only kubectl, jq, echo and true\n` };
  }
}

/** `jq -c <filter>` over stdin, through the real jq. */
async function jq(args: readonly string[], stdin: string): Promise<CommandRun> {
  const flags = args.filter((arg) => arg.startsWith("-"));
  const filters = args.filter((arg) => !arg.startsWith("-"));
  if (filters.length !== 1 || flags.some((flag) => flag !== "-c")) {
    return { exitCode: 2, output: `jq: the fleet simulator runs only "jq [-c] <filter>" (got "jq ${args.join(" ")}")\n` };
  }
  const compiled = await compiledJq();
  try {
    const output = compiled.raw(stdin, filters[0]!, flags) ?? "";
    return { exitCode: 0, output: output === "" ? "" : `${output}\n` };
  } catch (error) {
    const failure = error as { exitCode?: unknown; stderr?: unknown; message?: unknown };
    const exitCode = typeof failure.exitCode === "number" ? failure.exitCode : 5;
    const stderr = typeof failure.stderr === "string" ? failure.stderr : String(failure.message);
    return { exitCode, output: `${stderr.trimEnd()}\n` };
  }
}

/** Words and operators; a string naming what this shell does not read when the line has it. */
function tokenize(line: string): Token[] | string {
  const tokens: Token[] = [];
  let word: string | undefined;
  const endWord = () => {
    if (word !== undefined) tokens.push({ word });
    word = undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === " " || c === "\t" || c === "\n") {
      endWord();
    } else if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end === -1) return `unterminated ${c === "'" ? "single" : "double"} quote`;
      const quoted = line.slice(i + 1, end);
      if (c === '"' && /[$`\\]/.test(quoted)) return "expansions inside double quotes are not understood by the fleet simulator";
      word = (word ?? "") + quoted;
      i = end;
    } else if (c === ";") {
      endWord();
      tokens.push({ operator: ";" });
    } else if (c === "|" || c === "&") {
      endWord();
      if (line[i + 1] === c) {
        tokens.push({ operator: c === "|" ? "||" : "&&" });
        i++;
      } else if (c === "|") tokens.push({ operator: "|" });
      else return "background jobs (&) are not understood by the fleet simulator";
    } else if (/[$`\\<>()*?{}[\]#~]/.test(c)) {
      return `"${c}" is not understood by the fleet simulator's shell`;
    } else {
      word = (word ?? "") + c;
    }
  }
  endWord();
  return tokens;
}
