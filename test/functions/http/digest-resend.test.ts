/**
 * POST /api/digests/{scanId}/resend with real HttpRequest objects, the digest
 * archive and findings store on Azurite, and a real SMTP server on loopback
 * that is down (refuses with 451) while the weekly step delivers.
 */
import azfn from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { digestErrorStatus, resendDigests } from "../../../functions/http/digests.js";
import { useDigestRuntime, type DigestRuntime } from "../../../functions/runtime/digest-runtime.js";
import { useWindowCounter } from "../../../functions/runtime/rate-limiter.js";
import { createWindowCounter } from "../../../shared/ratelimit/index.js";
import { azuriteConnectionString } from "../../store/fixtures.js";
import { loadConfig } from "../../../shared/config/index.js";
import { DIGEST_ERROR_CODES, deliverDigest, digestSettingsFromConfig, teamAudienceId, type DigestArchive } from "../../../shared/digest/index.js";
import { createMailTransport, type MailTransport } from "../../../shared/mail/index.js";
import type { FindingsStore } from "../../../shared/store/index.js";
import { health, saFinding, scanRun, SUB_A } from "../../store/fixtures.js";
import { digestStores } from "../../digest/store-support.js";
import { smtpSettings, startSmtpServer, type TestSmtpServer } from "../../support/smtp.js";

// @azure/functions is CommonJS: its classes come through the default import.
const { HttpRequest, InvocationContext } = azfn;

const SCAN = "20261130T060000Z-timer";
const RETRY = { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 };
const TEAM = teamAudienceId([SUB_A]);

let smtp: TestSmtpServer;
let transport: MailTransport;
let store: FindingsStore;
let archive: DigestArchive;
let runtime: DigestRuntime;

async function resend(scanId: string, query = "") {
  const request = new HttpRequest({ method: "POST", url: `http://localhost/api/digests/${encodeURIComponent(scanId)}/resend${query}`, params: { scanId } });
  const context = new InvocationContext({ functionName: "digests-resend", logHandler: () => undefined });
  const response = await resendDigests(request, context);
  return { status: response.status ?? 200, headers: new Headers(response.headers as Record<string, string>), json: response.jsonBody as { digests?: Array<{ audienceId: string; outcome: string }>; error?: { code: string; message: string } } };
}

const outcomes = (json: { digests?: Array<{ audienceId: string; outcome: string }> }) => Object.fromEntries((json.digests ?? []).map((d) => [d.audienceId, d.outcome]));

beforeAll(async () => {
  smtp = await startSmtpServer();
  ({ store, archive } = await digestStores("resend"));
  const config = loadConfig({
    ...smtpSettings(smtp),
    DIGEST_ROUTES: `${SUB_A}=payments@example.com`,
  });
  transport = (await createMailTransport(config.digest, { ca: smtp.caPem }))!;
  const findings = [saFinding("aks-one", "payments", "api")];
  await store.saveScan(scanRun(SCAN, "2026-11-30T06:00:00.000Z", [health("aks-one")], findings), findings);
  runtime = { config, store, archive, transport, retry: RETRY };

  // The weekly step ran while the relay was down: both digests are stored, neither sent.
  smtp.refuseNext(2 * RETRY.attempts);
  const weekly = await deliverDigest({ store, archive, transport }, SCAN, digestSettingsFromConfig(config, [], { retry: RETRY }));
  expect(weekly.digests.map((d) => d.outcome)).toEqual(["failed", "failed"]);
  useDigestRuntime(runtime);
  vi.stubEnv("WISCAN_DEV_PRINCIPAL", JSON.stringify({ name: "oncall@example.com", roles: ["Digests.Send", "Findings.Read"] }));
  // The budget is far above what these tests spend, except where one says otherwise.
  vi.stubEnv("DIGEST_RESEND_LIMIT_PER_HOUR", "1000");
  useWindowCounter(await counter(`rlresend${process.pid}`));
});

/** A counter on its own table, at a fixed time inside one hour (45 minutes left), so no test straddles a window. */
function counter(tablePrefix: string) {
  const config = { kind: "connection-string" as const, connectionString: azuriteConnectionString(), retentionDays: 90 };
  return createWindowCounter(config, { tablePrefix, now: () => new Date("2026-11-30T06:15:00.000Z") });
}

afterAll(async () => {
  vi.unstubAllEnvs();
  useWindowCounter(undefined);
  useDigestRuntime(undefined);
  await transport?.close();
  await smtp?.close();
});

describe("POST /api/digests/{scanId}/resend", () => {
  it("sends the digests the mail server refused, then only those still undelivered", async () => {
    const sent = await resend(SCAN);
    expect(sent.status).toBe(200);
    expect(outcomes(sent.json)).toEqual({ fleet: "sent", [TEAM]: "sent" });
    expect(smtp.received.map((m) => m.envelopeTo.join(",")).sort()).toEqual(["payments@example.com", "security@example.com"]);
    expect(smtp.received.every((m) => m.parsed.headers.get("x-wiscan-scan") === SCAN)).toBe(true);

    const again = await resend(SCAN);
    expect(again.status).toBe(200);
    expect(outcomes(again.json)).toEqual({ fleet: "already-sent", [TEAM]: "already-sent" });
    expect(smtp.received).toHaveLength(2);
  });

  it("sends a delivered digest again with all=true, and only one audience's with audience=", async () => {
    smtp.received.length = 0;
    const one = await resend(SCAN, "?audience=fleet&all=true");
    expect(one.status).toBe(200);
    expect(outcomes(one.json)).toEqual({ fleet: "sent" });
    expect(smtp.received.map((m) => m.envelopeTo)).toEqual([["security@example.com"]]);

    const all = await resend(SCAN, "?all=true");
    expect(outcomes(all.json)).toEqual({ fleet: "sent", [TEAM]: "sent" });
    expect(smtp.received).toHaveLength(3);
  });

  it("answers 502 with the report when the mail server still refuses, and keeps the digest for later", async () => {
    smtp.received.length = 0;
    smtp.refuseNext(RETRY.attempts);
    const refused = await resend(SCAN, `?audience=${TEAM}&all=true`);
    expect(refused.status).toBe(502);
    expect(refused.json.error?.code).toBe("send-failed");
    expect(outcomes(refused.json)).toEqual({ [TEAM]: "failed" });
    expect((await archive.getRecord(SCAN, TEAM))?.status).toBe("failed");

    const later = await resend(SCAN);
    expect(outcomes(later.json)).toEqual({ fleet: "already-sent", [TEAM]: "sent" });
    expect(smtp.received.map((m) => m.envelopeTo)).toEqual([["payments@example.com"]]);
  });

  it("answers 400 for a malformed scan id or parameter, and 404 for a scan or audience without a digest", async () => {
    const badId = await resend("scan id with spaces");
    expect(badId.status).toBe(400);
    expect(badId.json.error?.code).toBe("invalid-scan-id");

    expect((await resend(SCAN, "?all=maybe")).status).toBe(400);
    expect((await resend(SCAN, "?everything=true")).status).toBe(400);

    const unknown = await resend("20200101T060000Z-timer");
    expect(unknown.status).toBe(404);
    expect(unknown.json.error?.code).toBe("digest-not-found");
    expect((await resend(SCAN, "?audience=subs-0000000000000000")).status).toBe(404);
  });

  it("answers 409 when MAIL_TRANSPORT is none, since there is nothing to send with", async () => {
    const { transport: _t, ...withoutTransport } = runtime;
    useDigestRuntime({ ...withoutTransport, config: loadConfig({}) });
    try {
      const response = await resend(SCAN);
      expect(response.status).toBe(409);
      expect(response.json.error?.code).toBe("no-transport");
    } finally {
      useDigestRuntime(runtime);
    }
  });

  it("answers 401 without a caller and 403 to a caller without Digests.Send, sending nothing", async () => {
    smtp.received.length = 0;
    vi.stubEnv("WISCAN_DEV_PRINCIPAL", "");
    expect((await resend(SCAN, "?all=true")).status).toBe(401);
    vi.stubEnv("WISCAN_DEV_PRINCIPAL", JSON.stringify({ name: "analyst@example.com", roles: ["Findings.Read"] }));
    const forbidden = await resend(SCAN, "?all=true");
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error).toMatchObject({ code: "forbidden", role: "Digests.Send" });
    vi.stubEnv("WISCAN_DEV_PRINCIPAL", JSON.stringify({ name: "oncall@example.com", roles: ["Digests.Send"] }));
    expect(smtp.received).toHaveLength(0);
  });

  it("answers 429 with Retry-After past DIGEST_RESEND_LIMIT_PER_HOUR, counted across two instances", async () => {
    vi.stubEnv("DIGEST_RESEND_LIMIT_PER_HOUR", "2");
    const prefix = `rlresendtwo${process.pid}`;
    const [one, two] = [await counter(prefix), await counter(prefix)];
    try {
      useWindowCounter(one);
      expect((await resend(SCAN)).status).toBe(200);
      useWindowCounter(two);
      expect((await resend(SCAN)).status).toBe(200);
      smtp.received.length = 0;
      const refused = await resend(SCAN, "?all=true");
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe(String(45 * 60));
      expect(refused.json.error?.message).toContain("DIGEST_RESEND_LIMIT_PER_HOUR");
      useWindowCounter(one);
      expect((await resend(SCAN, "?all=true")).status).toBe(429);
      expect(smtp.received).toHaveLength(0);
    } finally {
      vi.stubEnv("DIGEST_RESEND_LIMIT_PER_HOUR", "1000");
      useWindowCounter(await counter(`rlresendafter${process.pid}`));
    }
  });

  it("maps every digest error code to a client or service status, never 500", () => {
    for (const code of DIGEST_ERROR_CODES) expect([400, 404, 409, 503]).toContain(digestErrorStatus(code));
    expect(digestErrorStatus("scan-not-found")).toBe(404);
    expect(digestErrorStatus("invalid-scan-id")).toBe(400);
  });
});
