/**
 * Wires `wiscan scan` to its clients: the user's Azure credential, or with
 * --demo the fleet simulator (started here, in this process, and stopped at
 * the end). Everything after the clients is the same code path.
 */
import { DefaultAzureCredential } from "@azure/identity";
import { cloudEndpoints, createAzureClients, defaultScope, type AzureClients } from "../azure/index.js";
import { environmentWithLocalSettings, loadConfig, type WiscanConfig } from "../config/index.js";
import { createAzureScanDependencies, scanSettingsFromConfig, type AzureScanSettings } from "../engine/azure-dependencies.js";
import { CliError, EXIT } from "./exit-codes.js";
import { exitCodeFor, runScanCommand, type ScanCommandResult } from "./scan-command.js";
import { applicableSuppression } from "../store/suppression.js";
import { parseScanOptions, type RawScanOptions, type ScanCommandOptions } from "./scan-options.js";
import { startDemo } from "./demo.js";
import { DEMO_STORE_MISSING, demoStoreInstalled, openStore } from "./store-access.js";
import { preflightScan } from "./preflight.js";
import { exceptionsFilter, expiredLines, fileSuppressions, readExceptionsFile, withFileDefaults } from "./exceptions-file.js";
import { statusOf, type ReportedFinding } from "../report/model.js";
import type { Finding } from "../findings/model.js";

export async function scanAction(raw: RawScanOptions): Promise<void> {
  // The exceptions file (wiscan.yaml or --config): its defaults under the command line, its exceptions as the filter stage.
  const file = readExceptionsFile(raw.config);
  const options = parseScanOptions(withFileDefaults(raw, file), process.stdout.isTTY === true);
  const config = loadConfig(environmentWithLocalSettings(process.env));
  const now = new Date();
  const exceptions = file === undefined ? undefined : fileSuppressions(file, now, config.suppressions.maxDays);
  if (file !== undefined && exceptions !== undefined) process.stderr.write(expiredLines(file, exceptions.expired));
  const filter = exceptions === undefined ? undefined : exceptionsFilter(exceptions.active, now);
  await preflightScan(options, config);
  const result = options.demo ? await scanDemo(options, config, filter) : await scanAzure(options, config, filter);
  const notes = notesStream(options);
  for (const file of result.files) notes.write(`wrote ${file.purpose}: ${file.path}\n`);
  // Installed without Azurite, the demo still scans and writes its files; only the history needs the store.
  const demoWithoutStore = options.demo && options.store && !demoStoreInstalled();
  if (demoWithoutStore) notes.write(`findings not saved: ${DEMO_STORE_MISSING}\n`);
  const suppressed = options.store && !demoWithoutStore ? await saveToStore(result, config, options.demo, notes) : undefined;
  // --fail-on counts what is not suppressed (the store holds the suppressions) and what --severity shows.
  process.exitCode = suppressed === undefined || suppressed.size === 0 ? result.exitCode : exitCodeFor(result.reported.filter((f) => statusOf(f) === "open" && !suppressed.has(f.id)), options, result.outcome.scan.coverage);
  // Last, so it is easy to find: `wiscan digest --resend` and the API's /api/scans/{id} take it.
  notes.write(`scan id: ${result.outcome.scan.id}${suppressed !== undefined ? ` (send its digests again: wiscan digest${options.demo ? " --demo" : ""} --resend ${result.outcome.scan.id})` : ""}\n`);
}

/** Where notes for people go: stderr, or nowhere with --quiet (results and errors only). */
function notesStream(options: ScanCommandOptions): Pick<NodeJS.WriteStream, "write"> {
  return options.quiet ? { write: () => true } : process.stderr;
}

type Filter = (findings: readonly Finding[]) => Promise<readonly ReportedFinding[]>;

async function scanAzure(options: ScanCommandOptions, config: WiscanConfig, filter: Filter | undefined): Promise<ScanCommandResult> {
  const cloud = cloudEndpoints(config.cloud);
  const credential = new DefaultAzureCredential({
    authorityHost: cloud.authorityHost,
    ...(config.scanner.managedIdentityClientId !== undefined && { managedIdentityClientId: config.scanner.managedIdentityClientId }),
    // An Entra-integrated cluster of another tenant (Lighthouse, multi-tenant estates) takes tokens of its tenant only.
    additionallyAllowedTenants: ["*"],
  });
  try {
    await credential.getToken(defaultScope(cloud.armEndpoint));
  } catch (error) {
    throw new CliError(
      EXIT.noCredential,
      `no Azure credential: sign in with "az login" (or set AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET, or run on Azure with a managed identity). ${firstLine(error)}`,
    );
  }
  const clients = createAzureClients({ credential, cloud: config.cloud });
  return runWithClients(options, config, clients, "cli", {}, filter);
}

async function scanDemo(options: ScanCommandOptions, config: WiscanConfig, filter: Filter | undefined): Promise<ScanCommandResult> {
  const demo = await startDemo(options.fleet);
  try {
    notesStream(options).write(`demo: simulated fleet from ${demo.fleetDir} (${demo.clusterCount} clusters), Azure endpoint ${demo.armEndpoint}\n`);
    const withDemoFiles: ScanCommandOptions = {
      ...options,
      html: options.html ?? demo.outputPath("report.html"),
    };
    const runCommandScopes = config.scanner.runCommandScopes.length > 0 ? config.scanner.runCommandScopes : demo.runCommandScopes;
    const result = await runWithClients(withDemoFiles, config, demo.clients, "demo", { authorityHost: demo.authorityHost, runCommandScopes }, filter);
    if (options.out === undefined) {
      // The table went to the terminal; keep the machine-readable report too.
      const jsonPath = demo.outputPath("findings.json");
      await demo.writeReport(jsonPath, result.outcome);
      result.files.unshift({ purpose: "findings (json)", path: jsonPath });
    }
    return result;
  } finally {
    await demo.close();
  }
}

function runWithClients(
  options: ScanCommandOptions,
  config: WiscanConfig,
  clients: AzureClients,
  trigger: "cli" | "demo",
  overrides: Partial<AzureScanSettings> = {},
  filter?: Filter,
): Promise<ScanCommandResult> {
  const dependencies = createAzureScanDependencies(clients, scanSettingsFromConfig(config, overrides));
  return runScanCommand(options, {
    dependencies,
    trigger,
    concurrency: config.scanner.concurrency,
    stdout: process.stdout,
    stderr: process.stderr,
    ...(filter !== undefined && { filter }),
  });
}

/** Saves the scan; returns the ids of its findings that an active suppression hides (undefined without a store). */
async function saveToStore(result: ScanCommandResult, config: WiscanConfig, demo: boolean, notes: Pick<NodeJS.WriteStream, "write">): Promise<Set<string> | undefined> {
  const opened = await openStore(config, demo);
  if (opened === undefined) return undefined;
  try {
    const { scan, findings, fleetCoverage } = result.outcome;
    await opened.store.saveScan(scan, findings, fleetCoverage);
    const changes = await opened.store.scanChanges(scan);
    notes.write(
      `saved ${findings.length} findings to ${opened.description}: ${changes.new + changes.reopened} new or reopened, ${changes.resolved} resolved since the previous scan\n` +
        (scan.coverage !== undefined && scan.coverage.evaluated < scan.coverage.total
          ? `findings this scan did not cover keep their state (${scan.coverage.total - scan.coverage.evaluated} of ${scan.coverage.total} checks not evaluated completely)\n`
          : "") +
        `read them back with: npx wiscan findings${demo ? " --demo" : ""} --severity high\n`,
    );
    if (demo) {
      // Loaded on demand: the templates and CSS inliner are only needed here.
      const { writeDemoDigest } = await import("./demo-digest.js");
      await writeDemoDigest(opened, result.outcome, config, notes as NodeJS.WritableStream);
    }
    const suppressions = await opened.store.listSuppressions();
    const now = new Date();
    return new Set(result.outcome.findings.filter((f) => applicableSuppression(f, suppressions, now) !== undefined).map((f) => f.id));
  } finally {
    await opened.close();
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? "";
}
