/**
 * A hostile fleet (simulator/generator/hostile.ts) scanned for real: HTML,
 * script, quotes, newlines, shell metacharacters, 64 kB values and unusual
 * unicode in every free-text field the real APIs accept, 2,000 extra
 * namespaces in one cluster, and a canary secret planted where a careless
 * scanner would pick it up: a service-account token Secret, pod environment
 * and last-applied-configuration, log lines, the static cluster-user token
 * (the kubeconfig credential), and every JWT the simulator signs (access
 * tokens, service-account tokens of the live probe).
 *
 * The scan, the store (Azurite), the digest and the CLI's HTML report are all
 * the real ones. Checked: the scan completes; every stored row respects Table
 * Storage's limits; no cluster value becomes live markup; every remediation
 * command, run through a POSIX shell whose kubectl and az only print their
 * arguments, parses into exactly the arguments intended and runs nothing
 * else; and the canary appears in no log line, table row, digest or report.
 */
import { TableClient, TableServiceClient } from "@azure/data-tables";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDigestArchive, deliverDigest, type DigestArchive } from "../../shared/digest/index.js";
import { createAzureScanDependencies, scanFleet, type ScanOutcome } from "../../shared/engine/index.js";
import type { Finding } from "../../shared/findings/index.js";
import { renderHtmlReport } from "../../shared/report/index.js";
import { createFindingsStore, type FindingsStore } from "../../shared/store/index.js";
import { generateHostileFleet, type HostileFleet } from "../../simulator/generator/hostile.js";
import { writeFleet } from "../../simulator/generator/index.js";
import type { Simulator } from "../../simulator/index.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";
import { summaryLine } from "../reliability/summary.js";
import { captureOutput, type CapturedOutput } from "./capture-output.js";

const CANARY = `wiscan-canary-${Date.now().toString(36)}-7f3a9c`;
const PREFIX = `hostile${Date.now().toString(36)}`;

let workDir: string;
let hostile: HostileFleet;
let sim: Simulator;
let outcome: ScanOutcome;
let store: FindingsStore;
let archive: DigestArchive;
let rows: Array<{ table: string; entity: Record<string, unknown> }>;
let digestHtml: string;
let digestText: string;
let reportHtml: string;
let logs: CapturedOutput;
const signedTokens: string[] = [];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "wiscan-hostile-"));
  hostile = generateHostileFleet({ canary: CANARY, canaryDir: workDir, namespaces: 2_000 });
  sim = await startFleetSimulator({
    fleet: hostile.fleet,
    kubernetes: { staticTokenPrefix: CANARY },
    onTokenSigned: (token) => signedTokens.push(token),
  });
  const subscription = hostile.fleet.azure.subscriptions[0]!.subscriptionId;
  logs = captureOutput();
  try {
    outcome = await scanFleet(
      createAzureScanDependencies(clientsFor(sim), { probeScopes: [subscription], authorityHost: sim.authorityHost }),
      { scope: { subscriptions: [], managementGroups: [], clusters: [] }, concurrency: 3, trigger: "demo" },
    );
    const connection = { kind: "connection-string" as const, connectionString: inject("azuriteTables"), retentionDays: 90 };
    store = await createFindingsStore(connection, { tablePrefix: PREFIX });
    archive = await createDigestArchive(connection, { tablePrefix: PREFIX });
    await store.saveScan(outcome.scan, outcome.findings);
    await deliverDigest({ store, archive }, outcome.scan.id, {
      digest: { transport: "none", recipients: ["platform@example.com"], maxFindings: 500, findingsApiBaseUrl: "https://wiscan.example.com/api" },
    });
    const stored = await archive.list(outcome.scan.id);
    const digest = await archive.get(outcome.scan.id, stored[0]!.audienceId);
    digestHtml = digest?.html ?? "";
    digestText = digest?.text ?? "";
    reportHtml = renderHtmlReport(outcome.scan, outcome.findings);
  } finally {
    logs.stop();
  }
  rows = await allRows(PREFIX);
}, 180_000);

afterAll(async () => {
  await sim?.close();
  await rm(workDir, { recursive: true, force: true });
});

/** Every row of every table whose name starts with the prefix: findings, history, scans, suppressions, digests. */
async function allRows(prefix: string): Promise<Array<{ table: string; entity: Record<string, unknown> }>> {
  const connection = inject("azuriteTables");
  const service = TableServiceClient.fromConnectionString(connection, { allowInsecureConnection: true });
  const out: Array<{ table: string; entity: Record<string, unknown> }> = [];
  for await (const table of service.listTables()) {
    if (!table.name?.startsWith(prefix)) continue;
    const client = TableClient.fromConnectionString(connection, table.name, { allowInsecureConnection: true });
    for await (const entity of client.listEntities<Record<string, unknown>>()) out.push({ table: table.name, entity });
  }
  return out;
}

describe("a scan of a hostile fleet", () => {
  it("completes, with every cluster read and the crowded cluster's 2,000 namespaces listed to the end", () => {
    expect(outcome.scan.clusters.map((c) => `${c.cluster} ${c.status} ${c.reason ?? ""}`)).toEqual(outcome.scan.clusters.map((c) => `${c.cluster} ok `));
    expect(outcome.checkFailures).toEqual([]);
    // Service accounts sit in every 250th extra namespace, up to tenant-01750: all found means every page was read.
    const crowded = outcome.findings.filter((f) => f.resource.cluster === hostile.crowdedCluster && /^tenant-\d{5}$/.test(f.resource.namespace ?? ""));
    const namespaces = new Set(crowded.map((f) => f.resource.namespace));
    expect([...namespaces].sort()).toEqual(Array.from({ length: 8 }, (_, i) => `tenant-${String(i * 250).padStart(5, "0")}`).filter((n) => n !== "tenant-00000"));
    expect(outcome.findings.some((f) => f.checkId === "sa.client-id-malformed")).toBe(true);
    expect(outcome.findings.some((f) => f.checkId === "fic.subject-malformed")).toBe(true);
  });

  it("stores every entity within Table Storage's limits", () => {
    expect(rows.length).toBeGreaterThan(outcome.findings.length);
    const problems: string[] = [];
    for (const { table, entity } of rows) {
      const { partitionKey, rowKey, etag: _etag, timestamp: _timestamp, ...properties } = entity as Record<string, unknown> & { partitionKey: string; rowKey: string };
      const where = `${table} ${partitionKey}/${rowKey}`.slice(0, 160);
      for (const [name, key] of [["PartitionKey", partitionKey], ["RowKey", rowKey]] as const) {
        if (Buffer.byteLength(key, "utf8") > 1024) problems.push(`${where}: ${name} longer than 1 KiB`);
        if (/[/\\#?\u0000-\u001f\u007f-\u009f]/.test(key)) problems.push(`${where}: ${name} holds a character Table Storage refuses`);
      }
      // 252 properties besides PartitionKey, RowKey and Timestamp.
      if (Object.keys(properties).length > 252) problems.push(`${where}: ${Object.keys(properties).length} properties`);
      let bytes = 0;
      for (const [name, value] of Object.entries(properties)) {
        if (typeof value === "string") {
          // A string property holds at most 64 KiB of UTF-16.
          if (value.length * 2 > 64 * 1024) problems.push(`${where}: ${name} is ${value.length * 2} bytes`);
          bytes += value.length * 2;
        } else bytes += 8;
        bytes += name.length * 2;
      }
      if (bytes > 1024 * 1024) problems.push(`${where}: ${bytes} bytes in all`);
    }
    expect(problems).toEqual([]);
  });

  it("renders no live markup from cluster or Azure data in the digest or the CLI's HTML report", () => {
    expect(digestHtml.length).toBeGreaterThan(1000);
    for (const [name, html] of [["digest", digestHtml], ["report", reportHtml]] as const) {
      expect(liveMarkup(html), name).toEqual([]);
      // The payloads are there, escaped: the reader sees what the cluster holds.
      expect(html, name).toMatch(/&lt;script&gt;alert\(&quot;wiscan&quot;\)&lt;\/script&gt;|&lt;script&gt;alert/);
    }
    expect(digestText).not.toMatch(/\u001b\[/);
  });

  it("offers remediation commands that a shell parses into exactly the intended arguments, running nothing else", () => {
    const withCommands = outcome.findings.filter((f) => f.remediation.command !== undefined);
    expect(withCommands.length).toBeGreaterThan(20);
    const hostileCommands = withCommands.filter((f) => hostile.payloads.some((p) => containsPayload(f, p)));
    expect(hostileCommands.length).toBeGreaterThan(3);
    const problems: string[] = [];
    let argumentsChecked = 0;
    for (const finding of withCommands) {
      const command = finding.remediation.command!;
      const expected = intendedArguments(command);
      const actual = shellArguments(command, workDir);
      argumentsChecked += actual.argv.flat().length;
      if (actual.status !== 0) problems.push(`${finding.checkId} ${finding.id}: shell exited ${actual.status}: ${actual.stderr.slice(0, 200)}`);
      if (JSON.stringify(actual.argv) !== JSON.stringify(expected)) {
        problems.push(`${finding.checkId} ${finding.id}: shell read ${JSON.stringify(actual.argv).slice(0, 400)}\n  intended ${JSON.stringify(expected).slice(0, 400)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(existsSync(hostile.shellCanaryPath)).toBe(false);
    summaryLine(
      "hostile input: hostile fleet",
      `${hostile.payloads.length} payloads in annotations, display names, tags, a resource group, a credential subject and logs; 64 kB values; ${2_000} extra namespaces; ${rows.length} table rows, ${withCommands.length} remediation commands (${hostileCommands.length} carrying payloads, ${argumentsChecked} arguments) run through /bin/sh`,
      `0 incomplete clusters, 0 rows over Table Storage limits, 0 live markup in digest and report, 0 commands run by a pasted remediation`,
    );
  });
});

describe("a canary secret planted in the simulator", () => {
  it("was really handed to the scanner: static token, signed tokens, and the fleet's secret, env and logs", () => {
    expect(signedTokens.length).toBeGreaterThan(3);
    expect([...hostile.fleet.clusters.keys()].filter((name) => sim.kubeconfigFor(name).includes(CANARY)).length).toBeGreaterThan(0);
    expect(JSON.stringify([...hostile.fleet.clusters.values()])).toContain(Buffer.from(CANARY).toString("base64"));
    expect(JSON.stringify(hostile.fleet.logs)).toContain(CANARY);
  });

  it("appears in no log line, no table row, no finding, and neither the digest nor the HTML report", () => {
    const secrets = [CANARY, Buffer.from(CANARY).toString("base64"), ...signedTokens, ...signedTokens.map((t) => t.split(".")[2]!)];
    const places: Array<[string, string]> = [
      ["logs", logs.text()],
      ["table rows", JSON.stringify(rows)],
      ["findings", JSON.stringify(outcome.findings)],
      ["scan", JSON.stringify(outcome.scan)],
      ["digest html", digestHtml],
      ["digest text", digestText],
      ["HTML report", reportHtml],
    ];
    const leaks = places.flatMap(([place, text]) => secrets.filter((s) => text.includes(s)).map((s) => `${place}: ${s.slice(0, 24)}...`));
    expect(leaks).toEqual([]);
    expect(logs.text().length).toBeGreaterThanOrEqual(0);
    summaryLine(
      "secrets: canary in the simulator",
      `1 canary as static cluster-user token, service-account token Secret, pod env and last-applied-configuration, and 2 log lines; ${signedTokens.length} signed JWTs (access and service-account tokens) watched`,
      `0 in logs, ${rows.length} table rows, ${outcome.findings.length} findings, digest and HTML report`,
      "leaked",
    );
  });
});

// ------------------------------------------------------------------ markup

/** Raw (unescaped) markup that would run or restyle: tags, event handlers, script URLs from data. */
function liveMarkup(html: string): string[] {
  const found: string[] = [];
  for (const pattern of [/<script/gi, /<img/gi, /\son\w+\s*=/gi, /javascript:/gi, /<iframe/gi, /<svg/gi]) {
    for (const match of html.matchAll(pattern)) found.push(html.slice(Math.max(0, match.index - 40), match.index + 60));
  }
  return found;
}

function containsPayload(finding: Finding, payload: string): boolean {
  const command = finding.remediation.command ?? "";
  return payload.split(/\s+/).some((word) => word.length > 6 && command.includes(word.replace(/'/g, "'\\''")));
}

// ------------------------------------------------------------------ shell

/**
 * The arguments a command is meant to have, per line: words of bare text,
 * '...' (literal) and "${NAME:?hint}" (our placeholders, given a value),
 * split on blanks. Nothing else may appear: anything the shell would expand
 * or interpret makes the comparison with the shell's reading fail.
 */
function intendedArguments(command: string): string[][] {
  const lines: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  const end = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  for (let i = 0; i < command.length; ) {
    const c = command[i]!;
    if (c === "\n") {
      end();
      if (words.length > 0) lines.push(words);
      words = [];
      i++;
    } else if (c === " " || c === "\t") {
      end();
      i++;
    } else if (c === "'") {
      const close = command.indexOf("'", i + 1);
      if (close < 0) return [["unterminated quote"]];
      word = (word ?? "") + command.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      const close = command.indexOf('"', i + 1);
      const inner = command.slice(i + 1, close);
      const placeholder = /^\$\{([A-Z_]+):\?[^"$`\\{}]*\}$/.exec(inner);
      word = (word ?? "") + (placeholder ? `<${placeholder[1]}>` : `UNEXPECTED ${inner}`);
      i = close + 1;
    } else if (c === "\\") {
      // Outside quotes a backslash makes the next character literal: shellQuote's '\'' idiom.
      word = (word ?? "") + (command[i + 1] ?? "");
      i += 2;
    } else {
      let j = i;
      while (j < command.length && !" \t\n'\"\\".includes(command[j]!)) j++;
      word = (word ?? "") + command.slice(i, j);
      i = j;
    }
  }
  end();
  if (words.length > 0) lines.push(words);
  return lines;
}

/** What /bin/sh makes of the command when kubectl and az only print their arguments. */
function shellArguments(command: string, cwd: string): { argv: string[][]; status: number | null; stderr: string } {
  const placeholders = [...command.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]!);
  const argsFile = join(cwd, "argv.bin");
  const env: Record<string, string> = { PATH: "/usr/bin:/bin", ARGS_OUT: argsFile };
  for (const name of placeholders) env[name] = `<${name}>`;
  const prelude = [
    `: > "$ARGS_OUT"`,
    `print_args() { for a in "$@"; do printf '%s\\037' "$a"; done; printf '\\036'; }`,
    `kubectl() { print_args kubectl "$@" >> "$ARGS_OUT"; }`,
    `az() { print_args az "$@" >> "$ARGS_OUT"; }`,
    `helm() { print_args helm "$@" >> "$ARGS_OUT"; }`,
  ].join("\n");
  const run = spawnSync("/bin/sh", ["-c", `${prelude}\n${command}`], { cwd, env, encoding: "utf8", timeout: 10_000 });
  let recorded = "";
  try {
    recorded = readFileSync(argsFile, "utf8");
  } catch {
    recorded = "";
  }
  const argv = recorded
    .split("\u001e")
    .filter((line) => line !== "")
    .map((line) => line.split("\u001f").slice(0, -1));
  return { argv, status: run.status, stderr: run.stderr };
}

describe("the compiled CLI scanning the hostile fleet with the canary planted", () => {
  const cli = fileURLToPath(new URL("../../dist/shared/cli/main.js", import.meta.url));

  it("writes the canary to none of its stdout, stderr, JSON, HTML report or demo store, and no live markup", async () => {
    // `npm test` compiles first; a bare vitest run needs `npm run build` once.
    expect(existsSync(cli), `${cli} is missing: run npm run build`).toBe(true);
    const dir = join(workDir, "cli");
    const fleetDir = join(dir, "fleet");
    await mkdir(dir, { recursive: true });
    await writeFleet(hostile.fleet, fleetDir);
    const result = await runNode([cli, "scan", "--demo", "--fleet", fleetDir, "--output", "json", "--out", join(dir, "findings.json"), "--html", join(dir, "report.html")], dir);
    // 0: nothing at the --fail-on threshold (none given); anything else is a crash or a refusal.
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    const report = JSON.parse(await readFile(join(dir, "findings.json"), "utf8")) as { findings: unknown[] };
    expect(report.findings.length).toBeGreaterThan(20);
    const html = await readFile(join(dir, "report.html"), "utf8");
    expect(liveMarkup(html)).toEqual([]);

    const files = await filesUnder(dir, [fleetDir]);
    const jwt = /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}/;
    const leaks: string[] = [];
    for (const [name, text] of [["stdout", result.stdout], ["stderr", result.stderr], ...files] as Array<[string, string]>) {
      if (text.includes(CANARY) || text.includes(Buffer.from(CANARY).toString("base64"))) leaks.push(`${name}: canary`);
      if (jwt.test(text)) leaks.push(`${name}: a JWT`);
    }
    expect(leaks).toEqual([]);
    // The demo store really holds the scan (its rows were searched above).
    const storeFiles = files.filter(([name]) => name.includes(".wiscan")).map(([, text]) => text).join("\n");
    expect(storeFiles).toContain((report.findings[0] as { id: string }).id);
    summaryLine(
      "secrets: compiled CLI on the hostile fleet",
      `the canary in a service-account token Secret, pod env, last-applied-configuration and logs; ${report.findings.length} findings written`,
      `0 in stdout, stderr, the JSON and HTML outputs and ${files.filter(([n]) => n.includes(".wiscan")).length} files of the demo store; 0 JWTs anywhere`,
      "leaked",
    );
  }, 120_000);
});

function runNode(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolveRun({ code, stdout, stderr }));
  });
}

/** Every file under a directory (but the skipped ones), as text. */
async function filesUnder(dir: string, skip: string[]): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = resolve(entry.parentPath ?? dir, entry.name);
    if (!entry.isFile() || skip.some((s) => path.startsWith(s))) continue;
    out.push([path, await readFile(path, "latin1")]);
  }
  return out;
}
