/**
 * The digest when the SMTP relay is down: connections to it are refused (the
 * relay's address is a TCP forwarder of this test's own, closed during the
 * outage and opened again on the same port afterwards, in front of a real
 * SMTP server with STARTTLS and a password). The real digest step renders and
 * stores the digest in the archive (Azurite), tries a bounded number of times
 * with backoff, and leaves it "failed"; the resend of undelivered digests
 * delivers it once the relay is back, exactly once, and never again.
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDigestArchive, deliverDigest, resendUndelivered, type DigestArchive, type DigestSettings } from "../../shared/digest/index.js";
import { createMailTransport, type MailTransport } from "../../shared/mail/index.js";
import { createFindingsStore, type FindingsStore } from "../../shared/store/index.js";
import { freePort } from "../support/azurite.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";
import { health, saFinding, scanRun, uniquePrefix } from "../store/fixtures.js";
import { summaryLine } from "./summary.js";

const SCAN = "20261130T060000Z-timer";
const RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

/** A TCP forwarder that can refuse connections (down) and accept them again on the same port (up). */
interface Relay {
  port: number;
  up(): Promise<void>;
  down(): Promise<void>;
  close(): Promise<void>;
}

async function startRelay(targetPort: number): Promise<Relay> {
  const port = await freePort();
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const up = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect({ host: "127.0.0.1", port: targetPort });
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });
  await up();
  return { port, up, down, close: down };
}

let smtp: TestSmtpServer;
let relay: Relay;
let transport: MailTransport;
let store: FindingsStore;
let archive: DigestArchive;
const sleeps: number[] = [];
let settings: DigestSettings;

beforeAll(async () => {
  smtp = await startSmtpServer();
  relay = await startRelay(smtp.port);
  settings = {
    digest: { transport: "smtp", recipients: ["platform@example.com"], sender: "wiscan@example.com", maxFindings: 50, findingsApiBaseUrl: "https://wiscan.example.com/api" },
    retry: RETRY,
  };
  transport = (await createMailTransport(
    { ...settings.digest, smtp: { host: "127.0.0.1", port: relay.port, secure: false, user: smtp.user, password: smtp.password } },
    { ca: smtp.caPem },
  ))!;
  const prefix = uniquePrefix("smtpoutage");
  const connection = { kind: "connection-string" as const, connectionString: inject("azuriteTables"), retentionDays: 90 };
  store = await createFindingsStore(connection, { tablePrefix: prefix });
  archive = await createDigestArchive(connection, { tablePrefix: prefix });
  const findings = [saFinding("aks-a", "payments", "api"), saFinding("aks-a", "batch", "runner", "pod.label-missing", "medium")];
  await store.saveScan(scanRun(SCAN, "2026-11-30T06:00:00.000Z", [health("aks-a")], findings), findings);
});

afterAll(async () => {
  await transport?.close();
  await relay?.close();
  await smtp?.close();
});

const deps = () => ({ store, archive, transport, sleep: async (ms: number) => void sleeps.push(ms) });

describe("the digest when the SMTP relay is down", () => {
  let storedHtml = "";

  it("is rendered and kept after a bounded number of attempts with growing waits, and nothing is sent", async () => {
    await relay.down();
    const report = await deliverDigest(deps(), SCAN, settings);
    expect(report.digests).toMatchObject([{ audienceId: "fleet", outcome: "failed", attempts: RETRY.attempts }]);
    expect(report.digests[0]!.error).toMatch(/ECONNREFUSED|connect/i);
    // Backoff: one wait between attempts, each ceiling twice the one before (full jitter keeps at least half of it).
    expect(sleeps).toHaveLength(RETRY.attempts - 1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(RETRY.baseDelayMs / 2);
    expect(sleeps[1]).toBeGreaterThanOrEqual(RETRY.baseDelayMs);
    const record = await archive.getRecord(SCAN, "fleet");
    expect(record?.status).toBe("failed");
    expect((await archive.undelivered()).map((r) => r.scanId)).toEqual([SCAN]);
    storedHtml = (await archive.get(SCAN, "fleet"))!.html;
    expect(storedHtml).toContain("payments");
    expect(smtp.received).toHaveLength(0);
  });

  it("stays kept when a resend runs while the relay is still down", async () => {
    const [report] = await resendUndelivered(deps(), settings);
    expect(report!.digests).toMatchObject([{ outcome: "failed", attempts: RETRY.attempts * 2 }]);
    expect(smtp.received).toHaveLength(0);
    expect((await archive.undelivered()).map((r) => r.scanId)).toEqual([SCAN]);
  });

  it("is delivered, as stored, once the relay is back", async () => {
    await relay.up();
    const [report] = await resendUndelivered(deps(), settings);
    expect(report!.digests).toMatchObject([{ outcome: "sent", attempts: RETRY.attempts * 2 + 1 }]);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.envelopeTo).toEqual(["platform@example.com"]);
    expect(String(smtp.received[0]!.parsed.html).trim()).toBe(storedHtml.trim());
    expect(await archive.undelivered()).toEqual([]);
  });

  it("is never sent twice: neither the digest step run again nor another resend sends it", async () => {
    const again = await deliverDigest(deps(), SCAN, settings);
    expect(again.digests.map((d) => d.outcome)).toEqual(["already-sent"]);
    expect(await resendUndelivered(deps(), settings)).toEqual([]);
    expect(smtp.received).toHaveLength(1);
    const attempts = await archive.attempts(SCAN, "fleet");
    expect(attempts.map((a) => a.outcome)).toEqual([...Array<string>(RETRY.attempts * 2).fill("failed"), "sent"]);
    summaryLine(
      "faults: SMTP relay down while the digest is sent",
      `connections refused for ${RETRY.attempts * 2} attempts (2 runs, ${sleeps.length} backoff waits), then the relay back`,
      "0 digests (kept as failed, delivered once by the resend, 1 mail received, 0 duplicates)",
    );
  });
});
