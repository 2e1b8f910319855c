import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverDigest, parseDigestRoutes, resendDigest, resendUndelivered, teamAudienceId, type DigestArchive, type DigestSettings } from "../../shared/digest/index.js";
import type { Finding } from "../../shared/findings/index.js";
import { createMailTransport, type MailTransport } from "../../shared/mail/index.js";
import type { ClusterHealth, ScanRun } from "../../shared/scan/model.js";
import type { FindingsStore } from "../../shared/store/index.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";
import { clusterId, HOSTILE, stored, SUB_A, SUB_B } from "./fixtures.js";
import { digestStores } from "./store-support.js";
import { clusterCoverageOf } from "../store/fixtures.js";

const API = "https://wiscan.example.com/api";
const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };

function finding(sub: string, cluster: string, name: string, extra: Partial<Finding> = {}): Finding {
  const { status: _s, firstSeenAt: _a, firstSeenScanId: _b, lastSeenAt: _c, lastSeenScanId: _d, openedAt: _e, openedScanId: _f, changedAt: _g, ...plain } = stored(
    "sa.no-matching-fic",
    { subscriptionId: sub, cluster, clusterId: clusterId(cluster, sub), namespace: "apps", name },
  );
  return { ...plain, ...extra };
}

function clusterHealth(sub: string, cluster: string): ClusterHealth {
  return { clusterId: clusterId(cluster, sub), cluster, subscriptionId: sub, resourceGroup: `rg-${cluster}`, status: "ok", accessPath: "direct", durationMs: 800, requests: 5, findings: 0, podsSeen: 12, workloadIdentityPods: 6, coverage: clusterCoverageOf("ok") };
}

function run(id: string, startedAt: string, findings: Finding[]): ScanRun {
  const clusters = [clusterHealth(SUB_A, "pay-aks"), clusterHealth(SUB_B, "web-aks")];
  return {
    id,
    startedAt,
    finishedAt: startedAt,
    trigger: "timer",
    scope: { subscriptions: [], managementGroups: [], clusters: [] },
    tenantId: "00000000-0000-0000-0000-0000000000aa",
    subscriptions: [SUB_A, SUB_B],
    complete: true,
    clusters,
    counts: { clusters: 2, clustersScanned: 2, findings: findings.length, bySeverity: { high: findings.length, medium: 0, low: 0, info: 0 } },
    requests: { resourceGraph: 1, arm: 1, graph: 0, kubernetes: 4 },
    durationMs: 60_000,
  };
}

describe("delivering the digest by SMTP", () => {
  let smtp: TestSmtpServer;
  let transport: MailTransport;
  let store: FindingsStore;
  let archive: DigestArchive;
  const hostile = finding(SUB_A, "pay-aks", "sa-hostile", { title: `Annotation ${HOSTILE}`, evidence: { annotation: HOSTILE, label: "L".repeat(10_000) } });
  const kept = finding(SUB_B, "web-aks", "sa-kept");
  const fixed = finding(SUB_A, "pay-aks", "sa-fixed");
  const settings: DigestSettings = {
    digest: { transport: "smtp", recipients: ["security@example.com"], sender: "wiscan@example.com", maxFindings: 50, findingsApiBaseUrl: API },
    routes: parseDigestRoutes(`${SUB_A}=payments@example.com;${SUB_B}=web@example.com`),
    retry: FAST_RETRY,
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    ({ store, archive } = await digestStores("delivery"));
    transport = (await createMailTransport({ ...settings.digest, smtp: { host: smtp.host, port: smtp.port, secure: false, user: smtp.user, password: smtp.password } }, { ca: smtp.caPem }))!;
    await store.saveScan(run("scan-1", "2026-11-16T06:00:00.000Z", [kept, fixed]), [kept, fixed]);
    await store.saveScan(run("scan-2", "2026-11-23T06:00:00.000Z", [kept, hostile]), [kept, hostile]);
  });
  afterAll(async () => {
    await transport?.close();
    await smtp?.close();
  });

  it("sends the fleet to the default list and each team its subscriptions, escaped and bounded", async () => {
    smtp.received.length = 0;
    const report = await deliverDigest({ store, archive, transport }, "scan-2", settings);
    expect(report.digests.map((d) => d.outcome)).toEqual(["sent", "sent", "sent"]);

    const byRecipient = new Map(smtp.received.map((m) => [m.envelopeTo.join(","), m]));
    expect([...byRecipient.keys()].sort()).toEqual(["payments@example.com", "security@example.com", "web@example.com"]);

    const fleet = byRecipient.get("security@example.com")!;
    expect(fleet.parsed.subject).toBe("wiscan: 1 new high, 2 open, 1 resolved — 2 clusters in 2 subscriptions");
    expect(fleet.parsed.html).toContain("sa-hostile");
    expect(fleet.parsed.text).toContain("sa-kept");
    expect(fleet.parsed.text).toContain(`annotation: ${HOSTILE}`);
    // The store already keeps at most 4,000 characters of a value; the digest shows 160 of them.
    expect(fleet.parsed.text).toMatch(/annotation: <img src=x onerror=alert\(1\)>\n {4}label: L{160}… \[\d+ more characters\]\n/);

    const payments = byRecipient.get("payments@example.com")!;
    expect(payments.parsed.subject).toBe("wiscan: 1 new high, 1 open, 1 resolved — 1 cluster in 1 subscription");
    expect(payments.parsed.text).toContain("sa-fixed");
    expect(payments.parsed.text).not.toContain("sa-kept");

    const web = byRecipient.get("web@example.com")!;
    expect(web.parsed.subject).toBe("wiscan: 0 new high, 1 open, 0 resolved — 1 cluster in 1 subscription");
    expect(web.parsed.text).not.toContain("sa-hostile");

    for (const mail of smtp.received) {
      expect(mail.raw).not.toMatch(/<script/i);
      expect(mail.parsed.html).not.toContain("<img");
      expect(mail.parsed.html).not.toMatch(/\son[a-z]+\s*=/i);
      expect(mail.parsed.headers.get("x-wiscan-scan")).toBe("scan-2");
    }
  });

  it("does not send a digest twice when the step runs again", async () => {
    smtp.received.length = 0;
    const report = await deliverDigest({ store, archive, transport }, "scan-2", settings);
    expect(report.digests.map((d) => d.outcome)).toEqual(["already-sent", "already-sent", "already-sent"]);
    expect(smtp.received).toHaveLength(0);
  });

  it("retries a send the relay refuses for now, and records each attempt", async () => {
    const { store: s, archive: a } = await digestStores("retry");
    await s.saveScan(run("scan-r", "2026-11-23T06:00:00.000Z", [kept]), [kept]);
    smtp.received.length = 0;
    smtp.refuseNext(2);
    const report = await deliverDigest({ store: s, archive: a, transport }, "scan-r", { ...settings, routes: [] });
    expect(report.digests).toMatchObject([{ audienceId: "fleet", outcome: "sent", attempts: 3 }]);
    expect(smtp.received).toHaveLength(1);
    const attempts = await a.attempts("scan-r", "fleet");
    expect(attempts.map((t) => t.outcome)).toEqual(["failed", "failed", "sent"]);
    expect(attempts[0]!.error).toMatch(/^unavailable: .*451/);
  });

  it("keeps a digest the relay never took, and delivers exactly that digest when resent", async () => {
    const { store: s, archive: a } = await digestStores("outage");
    await s.saveScan(run("scan-o", "2026-11-23T06:00:00.000Z", [kept, hostile]), [kept, hostile]);
    smtp.received.length = 0;
    smtp.refuseNext(3);
    const failed = await deliverDigest({ store: s, archive: a, transport }, "scan-o", { ...settings, routes: [] });
    expect(failed.digests).toMatchObject([{ outcome: "failed", attempts: 3 }]);
    expect(smtp.received).toHaveLength(0);
    expect((await a.getRecord("scan-o", "fleet"))?.status).toBe("failed");
    expect((await a.undelivered()).map((r) => r.scanId)).toEqual(["scan-o"]);
    const stored = await a.get("scan-o", "fleet");

    const [resent] = await resendUndelivered({ store: s, archive: a, transport }, settings);
    expect(resent!.digests).toMatchObject([{ outcome: "sent", attempts: 4 }]);
    expect(smtp.received).toHaveLength(1);
    expect(String(smtp.received[0]!.parsed.html).trim()).toBe(stored!.html.trim());
    expect(smtp.received[0]!.parsed.subject).toBe(stored!.record.subject);
    expect(await a.undelivered()).toEqual([]);

    // Someone lost the mail: a resend of everything sends it once more.
    const again = await resendDigest({ store: s, archive: a, transport }, "scan-o", settings, { all: true });
    expect(again.digests).toMatchObject([{ outcome: "sent", attempts: 5 }]);
    expect(smtp.received).toHaveLength(2);
  });

  it("says which scan it does not know, and that nothing is stored to resend", async () => {
    await expect(deliverDigest({ store, archive, transport }, "scan-unknown", settings)).rejects.toMatchObject({ name: "DigestError", code: "scan-not-found" });
    await expect(resendDigest({ store, archive, transport }, "scan-unknown", settings)).rejects.toMatchObject({ name: "DigestError", code: "digest-not-found" });
    await expect(resendDigest({ store, archive, transport }, "../../etc", settings)).rejects.toMatchObject({ name: "DigestError", code: "invalid-scan-id" });
  });

  it("stores the digest without sending it when no transport is configured", async () => {
    const { store: s, archive: a } = await digestStores("nomail");
    await s.saveScan(run("scan-n", "2026-11-23T06:00:00.000Z", [kept]), [kept]);
    const report = await deliverDigest({ store: s, archive: a }, "scan-n", { ...settings, digest: { ...settings.digest, transport: "none" } });
    expect(report.digests.map((d) => [d.audienceId, d.outcome])).toEqual([
      ["fleet", "not-sent"],
      [teamAudienceId([SUB_A]), "not-sent"],
      [teamAudienceId([SUB_B]), "not-sent"],
    ]);
    const kept_ = await a.get("scan-n", "fleet");
    expect(kept_?.html).toContain("sa-kept");
    expect(kept_?.text).toContain("sa-kept");
  });
});
