/**
 * The maintenance timers, called as the host calls them: retention of per-scan
 * rows, and the hourly resend of digests the mail service never took.
 */
import azfn from "@azure/functions";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { retryUndeliveredDigests } from "../../functions/maintenance/digest-retry.js";
import { retentionCleanup } from "../../functions/maintenance/retention.js";
import { useFindingsStore } from "../../functions/http/store-instance.js";
import { useDigestRuntime } from "../../functions/runtime/digest-runtime.js";
import { createDigestArchive, deliverDigest, type DigestSettings } from "../../shared/digest/index.js";
import { createMailTransport } from "../../shared/mail/index.js";
import { health, saFinding, scanRun, testStore, uniquePrefix } from "../store/fixtures.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";

const { InvocationContext } = azfn;
const timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
const context = () => new InvocationContext({ functionName: "maintenance" });

describe("the daily retention timer", () => {
  afterAll(() => useFindingsStore(undefined));

  it("drops scans older than RETENTION_DAYS and keeps the current state of every finding", async () => {
    const { store } = await testStore("retention");
    useFindingsStore(store);
    const old = saFinding("aks-a", "payments", "api");
    const recent = saFinding("aks-a", "payments", "worker");
    const longAgo = new Date(Date.now() - 400 * 86_400_000).toISOString();
    await store.saveScan(scanRun("scan-old", longAgo, [health("aks-a", "partial")], [old]), [old]);
    await store.saveScan(scanRun("scan-new", new Date().toISOString(), [health("aks-a", "partial")], [recent]), [recent]);

    process.env["RETENTION_DAYS"] = "30";
    try {
      const result = await retentionCleanup(timer, context());
      expect(result.scans).toBe(1);
    } finally {
      delete process.env["RETENTION_DAYS"];
    }
    const scans = await store.listScans({ pageSize: 10 });
    expect(scans.items.map((s) => s.id)).toEqual(["scan-new"]);
    expect((await store.getFinding(old.id))?.finding.status).toBe("open");
  });
});

describe("the hourly digest resend timer", () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    useDigestRuntime(undefined);
    await smtp.close();
  });

  it("sends a digest that an outage left undelivered, once", async () => {
    const connection = { kind: "connection-string" as const, connectionString: inject("azuriteTables"), retentionDays: 90 };
    const prefix = uniquePrefix("digestretry");
    const { store } = await testStore("digestretry", { tablePrefix: prefix });
    const archive = await createDigestArchive(connection, { tablePrefix: prefix });
    const findings = [saFinding("aks-a", "payments", "api")];
    await store.saveScan(scanRun("scan-1", new Date().toISOString(), [health("aks-a")], findings), findings);

    const digest: DigestSettings["digest"] = { transport: "smtp", recipients: ["platform@example.com"], sender: "wiscan@example.com", maxFindings: 50 };
    const retry = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 };
    // The outage: the mail server's port refuses connections.
    const down = (await createMailTransport({ ...digest, smtp: { host: "127.0.0.1", port: 1, secure: false } }))!;
    const failed = await deliverDigest({ store, archive, transport: down }, "scan-1", { digest, retry });
    expect(failed.digests[0]?.outcome).toBe("failed");
    await down.close();

    const up = (await createMailTransport({ ...digest, smtp: { host: "127.0.0.1", port: smtp.port, secure: false, user: smtp.user, password: smtp.password } }, { ca: smtp.caPem }))!;
    useDigestRuntime({ config: { digest }, store, archive, transport: up, retry });
    expect(await retryUndeliveredDigests(timer, context())).toBe(1);
    expect(smtp.received).toHaveLength(1);
    expect(await retryUndeliveredDigests(timer, context())).toBe(0);
    expect(smtp.received).toHaveLength(1);
    await up.close();
  });
});
