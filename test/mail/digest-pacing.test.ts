/**
 * The digest step with more audiences than an Azure-managed domain may mail in
 * an hour, through the real ACS transport against the loopback endpoint that
 * enforces the limits: the first ten go, the rest stay stored (not failed, no
 * attempt counted), and the hourly resend delivers them once the hour turns.
 * The clock is the test's: the pacing sleeps on it, the endpoint reads it.
 */
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverDigest, parseDigestRoutes, resendUndelivered, type DigestArchive, type DigestSettings } from "../../shared/digest/index.js";
import { createMailTransport, type MailTransport, type PacingClock } from "../../shared/mail/index.js";
import type { ScanRun } from "../../shared/scan/model.js";
import type { FindingsStore } from "../../shared/store/index.js";
import { digestStores } from "../digest/store-support.js";
import { MANAGED_DOMAIN, startFakeAcs, type FakeAcs } from "./acs-fake.js";

const credential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: "test-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

class TestClock implements PacingClock {
  t = Date.parse("2026-11-30T07:00:00Z");
  now = () => this.t;
  sleep = async (ms: number) => {
    this.t += ms;
  };
}

const SUBSCRIPTIONS = Array.from({ length: 12 }, (_, i) => `${String(i + 1).padStart(8, "0")}-0000-4000-8000-000000000000`);

function emptyScan(id: string): ScanRun {
  return {
    id,
    startedAt: "2026-11-30T06:00:00.000Z",
    finishedAt: "2026-11-30T06:30:00.000Z",
    trigger: "timer",
    scope: { subscriptions: [], managementGroups: [], clusters: [] },
    tenantId: "00000000-0000-0000-0000-0000000000aa",
    subscriptions: SUBSCRIPTIONS,
    complete: true,
    clusters: [],
    counts: { clusters: 0, clustersScanned: 0, findings: 0, bySeverity: { high: 0, medium: 0, low: 0, info: 0 } },
    requests: { resourceGraph: 1, arm: 0, graph: 0, kubernetes: 0 },
    durationMs: 1_000,
  };
}

describe("digests of a scan within the ACS limits of an Azure-managed domain", () => {
  const clock = new TestClock();
  let acs: FakeAcs;
  let transport: MailTransport;
  let store: FindingsStore;
  let archive: DigestArchive;
  const settings: DigestSettings = {
    digest: { transport: "acs", recipients: ["security@example.com"], sender: "DoNotReply@example.azurecomm.net", maxFindings: 20 },
    routes: parseDigestRoutes(SUBSCRIPTIONS.map((s, i) => `${s}=team-${i + 1}@example.com`).join(";")),
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  };

  beforeAll(async () => {
    acs = await startFakeAcs({ limits: MANAGED_DOMAIN, now: clock.now });
    acs.runningPolls = 0;
    transport = (await createMailTransport(
      { ...settings.digest, acsEndpoint: acs.endpoint, acsLimits: { emailsPerMinute: 5, emailsPerHour: 10, recipientsPerEmail: 50 } },
      { credential, ca: acs.caPem, pollIntervalMs: 5, clock },
    ))!;
    ({ store, archive } = await digestStores("pacing"));
    await store.saveScan(emptyScan("scan-paced"), []);
  });
  afterAll(async () => {
    await transport?.close();
    await acs?.close();
  });

  it("sends ten of thirteen digests without a 429 and keeps three stored for the hourly retry", async () => {
    const deps = { store, archive, transport, now: () => new Date(clock.now()) };
    const report = await deliverDigest(deps, "scan-paced", settings);
    const outcomes = report.digests.map((d) => d.outcome);
    expect(outcomes).toHaveLength(13);
    expect(outcomes.filter((o) => o === "sent")).toHaveLength(10);
    const waiting = report.digests.filter((d) => d.outcome === "stored");
    expect(waiting).toHaveLength(3);
    for (const d of waiting) {
      expect(d.attempts).toBe(0);
      expect(d.error).toMatch(/^deferred: /);
    }
    expect(acs.throttled).toEqual([]);
    expect(acs.accepted).toHaveLength(10);

    // Before the hour has room, the retry timer sends nothing and counts nothing.
    clock.t += 10 * 60_000;
    const early = await resendUndelivered(deps, settings);
    const pending = (reports: typeof early) => reports.flatMap((r) => r.digests.map((d) => d.outcome)).filter((o) => o !== "already-sent");
    expect(pending(early)).toEqual(["stored", "stored", "stored"]);
    expect(acs.accepted).toHaveLength(10);

    clock.t = acs.accepted[0]! + 3_600_000;
    const later = await resendUndelivered(deps, settings);
    expect(pending(later)).toEqual(["sent", "sent", "sent"]);
    expect(acs.throttled).toEqual([]);
    expect((await archive.list("scan-paced")).every((r) => r.status === "sent")).toBe(true);
  });
});
