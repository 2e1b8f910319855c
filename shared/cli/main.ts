#!/usr/bin/env node
/**
 * The `wiscan` command line. Every failure a person can fix ends with a message
 * and a documented exit code (README, "CLI exit codes"); anything else is a bug.
 */
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { ConfigError } from "../config/index.js";
import { ScanClockError } from "../store/store.js";
import { CliError, EXIT } from "./exit-codes.js";
import { limitHeapGrowth } from "./heap.js";
import { TOOL_VERSION } from "./version.js";
import { scanAction } from "./scan-action.js";
import { findingsAction } from "./findings-command.js";
import { checksAction } from "./checks-command.js";
import { FINDINGS_OUTPUT_FORMATS, SCAN_OUTPUT_FORMATS } from "../report/formats.js";
import type { RawDigestOptions } from "./digest-command.js";
import type { RawServeOptions } from "./serve-command.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(): Command {
  const program = new Command("wiscan")
    .description("Scan AKS clusters for workload identity misconfigurations")
    .version(TOOL_VERSION)
    .exitOverride()
    .showHelpAfterError();

  program
    .command("scan")
    .description("Scan clusters with your Azure credential (az login), or the simulated fleet with --demo")
    .option("--subscription <id>", "subscription to scan (repeatable; default: every subscription you can see)", collect)
    .option("--cluster <name-or-id>", "only this cluster, by name or resource id (repeatable)", collect)
    .option("--concurrency <n>", "clusters scanned at once (default: SCAN_CONCURRENCY or 32)")
    .option("-o, --output <format>", `${SCAN_OUTPUT_FORMATS.join(", ")} (default: table on a terminal or with --demo, json otherwise)`)
    .option("--out <file>", "write the results to a file instead of stdout")
    .option("--severity <list>", "only output findings of these severities, e.g. high,medium (--fail-on counts only those; all are saved)", collect)
    .option("-q, --quiet", "results and errors only: no progress, summary or notes on stderr")
    .option("--html <file>", "also write an HTML report")
    .option("--fail-on <severity>", "exit with code 5 when a finding is at least this severe (high, medium, low, info); suppressed findings do not count")
    .option("--min-coverage <percent>", "exit with code 7 when the scan evaluated less than this share of its (cluster, check) pairs")
    .option("--fail-on-incomplete", "exit with code 7 when anything was not checked for a reason a person must fix (unreachable, forbidden, failed read)")
    .option("--check <id>", "run only these checks (repeatable or comma-separated)", collect)
    .option("--skip-check <id>", "skip these checks (repeatable or comma-separated)", collect)
    .option("--demo", "scan the built-in simulated fleet instead of Azure")
    .option("--fleet <dir>", "with --demo: a fleet description directory (docs/fleet-format.md)")
    .option("--config <file>", "exceptions and option defaults (default: wiscan.yaml in the working directory, if there is one); options given here override its defaults")
    .option("--no-store", "do not save the findings (by default they are saved to the configured store, or with --demo to the demo's local store)")
    .action(scanAction);

  program
    .command("findings")
    .description("Query stored findings (the same filters as GET /api/findings)")
    .option("--severity <severity>", "high, medium, low or info")
    .option("--check <id>", "one check id")
    .option("--subscription <id>", "subscription id")
    .option("--cluster <name-or-id>", "cluster name or resource id")
    .option("--namespace <name>", "Kubernetes namespace")
    .option("--identity <client-id>", "client id of the identity involved")
    .option("--status <status>", "open (default), resolved, suppressed or all")
    .option("--since <time>", "only findings whose status changed at or after this ISO-8601 time")
    .option("-o, --output <format>", `${FINDINGS_OUTPUT_FORMATS.join(", ")} (default: table on a terminal, json otherwise)`)
    .option("--limit <n>", "at most this many findings (default 1000)")
    .option("--demo", "read the demo's local store (written by npm run demo)")
    .option("--config <file>", "exceptions file whose exceptions hide findings as in wiscan scan (default: wiscan.yaml in the working directory, if there is one)")
    .action(findingsAction);

  program
    .command("checks")
    .description("List the checks: id, severity rule, title and compliance controls")
    .option("-o, --output <format>", "table or json (default: table on a terminal, json otherwise)")
    .action(checksAction);

  program
    .command("digest")
    .description("Send the stored digests of a scan again (MAIL_TRANSPORT, SMTP_* or ACS_ENDPOINT, DIGEST_SENDER)")
    .requiredOption("--resend <scanId>", "the scan whose digests to send again (only those not delivered yet, unless --all)")
    .option("--audience <id>", "only this audience's digest: fleet, or a team's subs-… id")
    .option("--all", "send every digest of the scan again, delivered or not")
    .option("--demo", "use the demo's local store (written by npm run demo)")
    // Loaded on demand, like the demo: the digest templates are not needed to scan.
    .action(async (options: RawDigestOptions) => (await import("./digest-command.js")).digestAction(options));

  program
    .command("serve")
    .description("Serve the web console on loopback (docs/console.md): the demo's store with --demo, else the configured one")
    .option("--demo", "use the demo's local store (scans the demo fleet first when it holds no scan)")
    .option("--as <who>", "the local caller: admin (every app role, the default) or reader (Findings.Read)")
    .option("--roles <list>", "the local caller's app roles instead, comma-separated, e.g. Findings.Read,Suppressions.Write")
    .option("--name <name>", "the local caller's name, shown in histories and audit entries (default you@localhost)")
    .option("--port <n>", "port on 127.0.0.1 (default: any free port)")
    // Loaded on demand: the console's handlers are not needed to scan.
    .action(async (options: RawServeOptions) => (await import("./serve-command.js")).serveAction(options));

  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: "user" });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed the message; help and version are not failures.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`wiscan: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof ScanClockError) {
      // The host's clock is ahead of the store's: a machine problem a person fixes, not a bug.
      process.stderr.write(`wiscan: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      // One line per problem, each naming its setting.
      for (const p of error.problems) process.stderr.write(`wiscan: ${p.setting}: ${p.problem}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`wiscan: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.unexpected;
  }
}

function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    // Through npm's bin link argv[1] is the link; compare real paths.
    return pathToFileURL(realpathSync(script)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  limitHeapGrowth();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`wiscan: ${String(error)}\n`);
      process.exitCode = EXIT.unexpected;
    },
  );
}
