/**
 * The Durable fleet scan from end to end, without the Functions host: the
 * orchestrations run episode by episode in the package's replay engine (see
 * durable-test-host.ts), and every activity they schedule is the registered
 * activity handler itself, called with a real InvocationContext. Behind the
 * activities: the production Azure and Kubernetes clients pointed at the fleet
 * simulator serving the demo fleet, and the findings store on Azurite.
 * The reference is the engine's in-process scan of the same fleet (the CLI's
 * path): spreading the scan over activities must not change what it finds.
 * The digest step sends through nodemailer to a real SMTP server on loopback.
 */
import azfn from "@azure/functions";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FleetScanInput, FleetScanResult } from "../../../functions/durable/model.js";
import { DIGEST_ACTIVITY, FLEET_CHECKS_ACTIVITY, FLEET_SCAN_ORCHESTRATOR, SCAN_CLUSTER_ACTIVITY } from "../../../functions/durable/names.js";
import { useDigestRuntime } from "../../../functions/runtime/digest-runtime.js";
import { scanDependenciesFactory } from "../../../functions/runtime/scan-dependencies.js";
import { useScanRuntime } from "../../../functions/runtime/scan-runtime.js";
import { createScanStaging, type ScanStaging } from "../../../functions/runtime/scan-staging.js";
import { loadConfig, type WiscanConfig } from "../../../shared/config/index.js";
import { createDigestArchive } from "../../../shared/digest/index.js";
import { createAzureScanDependencies } from "../../../shared/engine/azure-dependencies.js";
import { scanFleet } from "../../../shared/engine/index.js";
import type { Finding } from "../../../shared/findings/index.js";
import { createMailTransport, type MailTransport } from "../../../shared/mail/index.js";
import { createFindingsStore, type FindingsStore, type StoredFinding } from "../../../shared/store/index.js";
import type { Simulator } from "../../../simulator/index.js";
import { clientsFor, startFleetSimulator } from "../../support/simulator.js";
import { smtpSettings, startSmtpServer, type ReceivedMail, type TestSmtpServer } from "../../support/smtp.js";
import { captureFunctions, DurableTestHost, type ActivityOutcome, type RegisteredFunctions } from "./durable-test-host.js";

const { InvocationContext } = azfn;
const DEMO_DIR = fileURLToPath(new URL("../../fleets/demo", import.meta.url));

/** A finding as a person would name it in a failure message: check, cluster, namespace, kind, name. */
const describe_ = (f: Finding) => `${f.id} ${f.checkId} | ${f.resource.cluster ?? "-"} | ${f.resource.namespace ?? "-"} | ${f.resource.kind} | ${f.resource.name}`;

let sim: Simulator;
let smtp: TestSmtpServer;
let transport: MailTransport | undefined;
let store: FindingsStore;
let staging: ScanStaging;
let functions: RegisteredFunctions;
/** The in-process scan's findings, by id. */
let expected: Map<string, Finding>;
const logs: Array<{ functionName: string; line: string }> = [];

/** Runs every activity the orchestration schedules through its registered handler; `fail` can make an attempt crash first. */
function activities(fail?: (name: string, input: unknown, attempt: number) => string | undefined) {
  return async (name: string, input: unknown, attempt: number): Promise<ActivityOutcome> => {
    const injected = fail?.(name, input, attempt);
    if (injected !== undefined) return { ok: false, error: injected };
    const registered = functions.get(name);
    if (!registered) throw new Error(`activity ${name} is not registered`);
    const context = new InvocationContext({
      functionName: name,
      invocationId: `${name}-${attempt}`,
      logHandler: (_level, ...args) => logs.push({ functionName: name, line: args.map(String).join(" ") }),
    });
    try {
      return { ok: true, value: await registered.handler(input, context) };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  };
}

async function runScan(scanId: string, fail?: Parameters<typeof activities>[0]): Promise<FleetScanResult> {
  const input: FleetScanInput = { trigger: "timer", scope: { subscriptions: [], managementGroups: [], clusters: [] }, sendDigest: true };
  const root = await new DurableTestHost(functions, activities(fail), new Date(Date.now())).run(FLEET_SCAN_ORCHESTRATOR, input, scanId);
  expect(root.error).toBeUndefined();
  return root.output as FleetScanResult;
}

async function openFindings(): Promise<StoredFinding[]> {
  const all: StoredFinding[] = [];
  for await (const f of store.allFindings({ status: "open" })) all.push(f);
  return all;
}

let first: FleetScanResult;
let second: FleetScanResult;
const FIRST = "20261130T060000Z-timer";
const SECOND = "20261207T060000Z-timer";
/** contoso-payments, routed to its team by DIGEST_ROUTES. */
const PAYMENTS_SUBSCRIPTION = "d1c2a081-a471-42e1-853b-539d0f923d78";

/** The mails the SMTP server received for one scan, by the header the digest sets. */
const mailsOf = (scanId: string): ReceivedMail[] => smtp.received.filter((m) => m.parsed.headers.get("x-wiscan-scan") === scanId);

beforeAll(async () => {
  sim = await startFleetSimulator({ fleetDir: DEMO_DIR });
  const reference = await scanFleet(createAzureScanDependencies(clientsFor(sim)), {
    scope: { subscriptions: [], managementGroups: [], clusters: [] },
    concurrency: 8,
    trigger: "demo",
  });
  expected = new Map(reference.findings.map((f) => [f.id, f]));
  const config: WiscanConfig = loadConfig({});
  const storeSettings = { kind: "connection-string" as const, connectionString: inject("azuriteTables"), retentionDays: 90 };
  store = await createFindingsStore(storeSettings, { tablePrefix: "fnE2e" });
  staging = await createScanStaging(storeSettings, { tablePrefix: "fnE2e" });
  useScanRuntime({ dependencies: scanDependenciesFactory(clientsFor(sim), config), store, staging });
  smtp = await startSmtpServer();
  const mail = loadConfig({
    ...smtpSettings(smtp),
    DIGEST_ROUTES: `${PAYMENTS_SUBSCRIPTION}=payments-team@example.com`,
  });
  transport = await createMailTransport(mail.digest, { ca: smtp.caPem });
  useDigestRuntime({
    config: mail,
    store,
    archive: await createDigestArchive(storeSettings, { tablePrefix: "fnE2e" }),
    ...(transport !== undefined && { transport }),
    retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
  });
  functions = await captureFunctions(async () => {
    await import("../../../functions/durable/fleet-scan.js");
    await import("../../../functions/durable/activities/index.js");
  });
  first = await runScan(FIRST);
  second = await runScan(SECOND);
}, 180_000);

afterAll(async () => {
  useScanRuntime(undefined);
  useDigestRuntime(undefined);
  await transport?.close();
  await smtp?.close();
  await sim?.close();
});

describe("the Durable fleet scan of the demo fleet", () => {
  it("saves exactly the findings the in-process scan of the same fleet reports", async () => {
    expect(first).toMatchObject({ scanId: FIRST, outcome: "completed", clusters: sim.fleet.azure.managedClusters.length });
    expect(expected.size).toBeGreaterThan(20);
    const stored = new Map((await openFindings()).map((f) => [f.id, f]));
    const missing = [...expected.values()].filter((f) => !stored.has(f.id)).map((f) => `missing: ${describe_(f)}`);
    const unexpected = [...stored.values()].filter((f) => !expected.has(f.id)).map((f) => `unexpected: ${describe_(f)}`);
    expect([...missing, ...unexpected].sort()).toEqual([]);
    // Fleet-level findings (identities) came from the fleet checks step, from the usage the clusters staged.
    expect([...stored.values()].some((f) => f.checkId.startsWith("identity."))).toBe(true);
    for (const finding of expected.values()) {
      // Evidence keys, not values: log timestamps in evidence are relative to the time of each scan.
      const saved = stored.get(finding.id)!;
      expect({ severity: saved.severity, title: saved.title, evidence: Object.keys(saved.evidence).sort() }).toEqual({
        severity: finding.severity,
        title: finding.title,
        evidence: Object.keys(finding.evidence).sort(),
      });
    }
  });

  it("records the scan with the health of every cluster and counts that match the store", async () => {
    const details = await store.getScan(FIRST);
    expect(details?.scan).toBeDefined();
    expect(details!.clusters).toHaveLength(sim.fleet.azure.managedClusters.length);
    expect(details!.clusters.every((c) => c.findingsSaved)).toBe(true);
    expect(details!.fleetFindingsSaved).toBe(true);
    expect(details!.scan!.counts.findings).toBe(expected.size);
    expect(first.summary!.findings).toBe(expected.size);
    // The demo fleet forbids listing pods on analytics-batch: a partial cluster makes the scan incomplete.
    expect(details!.clusters.find((c) => c.cluster === "analytics-batch")?.status).not.toBe("ok");
    expect(first.summary!.complete).toBe(false);
  });

  it("finds everything new on the first scan and nothing new or resolved on the second", () => {
    expect(first.comparison).toEqual({ new: expected.size, reopened: 0, stillOpen: 0, resolved: 0 });
    expect(second.comparison).toEqual({ new: 0, reopened: 0, stillOpen: expected.size, resolved: 0 });
  });

  it("delivers each scan's digest once: the fleet's to DIGEST_RECIPIENTS, the routed team's to its address", () => {
    expect(first.digest).toMatchObject({ status: "sent", digests: { sent: 2, failed: 0, "already-sent": 0 } });
    expect(first.digest!.subject).toMatch(new RegExp(`^wiscan: \\d+ new high, ${expected.size} open, 0 resolved — ${sim.fleet.azure.managedClusters.length} clusters in 3 subscriptions$`));
    const mails = mailsOf(FIRST);
    expect(mails.map((m) => m.envelopeTo.join(",")).sort()).toEqual(["payments-team@example.com", "security@example.com"]);

    const fleet = mails.find((m) => m.envelopeTo.includes("security@example.com"))!;
    expect(fleet.parsed.subject).toBe(first.digest!.subject);
    // Display names from the staged inventory, not bare subscription ids.
    expect(fleet.parsed.text).toContain("contoso-payments");
    expect(fleet.parsed.text).toContain("data-platform");

    const team = mails.find((m) => m.envelopeTo.includes("payments-team@example.com"))!;
    const teamClusters = sim.fleet.azure.managedClusters.filter((c) => c.id.toLowerCase().startsWith(`/subscriptions/${PAYMENTS_SUBSCRIPTION}/`)).length;
    expect(team.parsed.subject).toMatch(new RegExp(`— ${teamClusters} clusters in 1 subscription$`));
    expect(team.parsed.text).toContain("payments-prod");
    expect(team.parsed.text).not.toContain("data-platform");

    expect(second.digest).toMatchObject({ status: "sent", digests: { sent: 2 } });
    expect(second.digest!.subject).toMatch(new RegExp(`^wiscan: 0 new high, ${expected.size} open, 0 resolved`));
    expect(mailsOf(SECOND)).toHaveLength(2);
  });

  it("does not send a scan's digest again when the step runs again", async () => {
    const before = smtp.received.length;
    const context = new InvocationContext({ functionName: DIGEST_ACTIVITY, invocationId: "digest-again", logHandler: () => undefined });
    const again = (await functions.get(DIGEST_ACTIVITY)!.handler(
      { scan: { id: FIRST, startedAt: first.startedAt }, sendDigest: true, comparison: first.comparison, counts: first.summary },
      context,
    )) as FleetScanResult["digest"];
    expect(again).toMatchObject({ status: "sent", digests: { sent: 0, "already-sent": 2 } });
    expect(smtp.received.length).toBe(before);
    expect(mailsOf(FIRST)).toHaveLength(2);
  });

  it("skips the digest of a scan that did not ask for one", async () => {
    const context = new InvocationContext({ functionName: DIGEST_ACTIVITY, invocationId: "digest-unasked", logHandler: () => undefined });
    const report = await functions.get(DIGEST_ACTIVITY)!.handler(
      { scan: { id: "20261130T070000Z-http", startedAt: first.startedAt }, sendDigest: false, comparison: first.comparison, counts: first.summary },
      context,
    );
    expect(report).toEqual({ status: "skipped", reason: "not requested for this scan" });
  });

  it("drops the staged inventory when the scan ends", async () => {
    expect(await staging.getInventory(FIRST)).toBeUndefined();
    expect(await staging.clusterResults(FIRST)).toEqual([]);
  });

  it("logs one JSON object per line, with the scan id and the cluster on every line of a cluster's activity, and no secret", () => {
    const clusterLines = logs.filter((l) => l.functionName === SCAN_CLUSTER_ACTIVITY).map((l) => JSON.parse(l.line) as Record<string, unknown>);
    expect(clusterLines.length).toBeGreaterThanOrEqual(20);
    for (const line of clusterLines) {
      expect(line["scanId"]).toMatch(/^2026\d{4}T060000Z-timer$/);
      expect(line["cluster"]).toEqual(expect.any(String));
    }
    for (const { line } of logs) {
      expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(line).not.toContain(sim.scanner.clientSecret);
      expect(line).not.toContain(smtp.password);
      expect(line).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./); // a JWT
      expect(line).not.toMatch(/AccountKey=|client-key-data|BEGIN (RSA |EC )?PRIVATE KEY/);
    }
  });

  it("turns a cluster whose scan crashes on every attempt into a scan.cluster-unreachable finding, and keeps scanning the rest", async () => {
    const crashingId = "20261214T060000Z-timer";
    const result = await runScan(crashingId, (name, input) =>
      name === SCAN_CLUSTER_ACTIVITY && (input as { index: number }).index === 0 ? "worker recycled while scanning" : undefined,
    );
    expect(result.outcome).toBe("completed");
    expect(result.tally).toMatchObject({ clusters: sim.fleet.azure.managedClusters.length, gaveUp: 1, unsaved: 0 });
    const details = await store.getScan(crashingId);
    const failed = details!.clusters.find((c) => c.status === "error");
    expect(failed?.reason).toContain("worker recycled while scanning");
    const unreachable = (await openFindings()).filter((f) => f.checkId === "scan.cluster-unreachable" && f.resource.clusterId === failed!.clusterId);
    expect(unreachable).toHaveLength(1);
    expect(String(unreachable[0]!.evidence["firstFailure"])).toContain("worker recycled while scanning");
    // Nothing in that cluster was resolved: it was not scanned.
    expect(result.comparison!.resolved).toBe(0);
  });

  it("runs a restarted scan (same id, after a failed run) on its own inventory, not on what the failed run staged", async () => {
    const slot = "20261221T060000Z-timer";
    const input: FleetScanInput = { trigger: "timer", scope: { subscriptions: [], managementGroups: [], clusters: ["payments-prod"] }, sendDigest: true };
    const failing = activities((name) => (name === FLEET_CHECKS_ACTIVITY ? "storage account unreachable" : undefined));
    const failed = await new DurableTestHost(functions, failing, new Date(Date.now() - 3_600_000)).run(FLEET_SCAN_ORCHESTRATOR, input, slot);
    expect(failed.error).toContain("storage account unreachable");
    expect((await staging.getInventory(slot))?.clusterIds).toHaveLength(1);

    const restarted = await runScan(slot);
    expect(restarted).toMatchObject({ outcome: "completed", clusters: sim.fleet.azure.managedClusters.length, tally: { clusters: sim.fleet.azure.managedClusters.length, gaveUp: 0 } });
    expect(await staging.getInventory(slot)).toBeUndefined();
  });
});
