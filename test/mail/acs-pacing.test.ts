/**
 * The ACS transport paced to the email domain's sending limits, against the
 * loopback ACS endpoint enforcing those limits (429 + Retry-After past them,
 * 400 past 50 recipients). Time is a clock the test moves: the pacing sleeps
 * on it and the endpoint reads it, so an hour passes in no time.
 */
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { afterEach, describe, expect, it } from "vitest";
import { createAcsTransport, createMailTransport, MailError, type MailMessage, type MailTransport, type PacingClock } from "../../shared/mail/index.js";
import { MANAGED_DOMAIN, startFakeAcs, type FakeAcs, type FakeAcsLimits } from "./acs-fake.js";

const credential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: "test-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

/** A clock that only moves when the code under test sleeps (or the test moves it). */
class TestClock implements PacingClock {
  t = Date.parse("2026-11-30T06:00:00Z");
  sleeps: number[] = [];
  now = () => this.t;
  sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.t += ms;
  };
}

const message = (to: string[], subject = "wiscan digest"): MailMessage => ({ from: "DoNotReply@example.azurecomm.net", to, subject, html: "<p>digest</p>", text: "digest" });
const team = (i: number) => [`team-${i}@example.com`];

/** The most sends any sliding window of `windowMs` holds. */
function busiest(times: readonly number[], windowMs: number): number {
  return Math.max(0, ...times.map((t) => times.filter((s) => s >= t && s < t + windowMs).length));
}

describe("ACS sends paced to the domain's limits", () => {
  let acs: FakeAcs | undefined;
  let transport: MailTransport | undefined;
  afterEach(async () => {
    await transport?.close();
    await acs?.close();
    acs = transport = undefined;
  });

  async function start(service: FakeAcsLimits, settings: { emailsPerMinute: number; emailsPerHour: number; recipientsPerEmail: number }, clock: TestClock) {
    acs = await startFakeAcs({ limits: service, now: clock.now });
    acs.runningPolls = 0;
    transport = (await createMailTransport(
      { transport: "acs", recipients: [], maxFindings: 10, acsEndpoint: acs.endpoint, acsLimits: settings },
      { credential, ca: acs.caPem, pollIntervalMs: 5, clock },
    ))!;
    return { acs, transport };
  }

  it("sends 5 a minute and 10 an hour without one 429, and defers the 11th instead of waiting an hour", async () => {
    const clock = new TestClock();
    const { acs, transport } = await start(MANAGED_DOMAIN, { emailsPerMinute: 5, emailsPerHour: 10, recipientsPerEmail: 50 }, clock);
    const started = clock.now();

    for (let i = 1; i <= 10; i++) await transport.send(message(team(i)));
    expect(acs.throttled).toEqual([]);
    expect(acs.accepted).toHaveLength(10);
    expect(busiest(acs.accepted, 60_000)).toBe(5);
    // The 6th waited for the minute to turn, and nothing waited longer.
    expect(clock.sleeps).toEqual([60_000]);
    expect(clock.now() - started).toBe(60_000);

    const before = acs.requests.length;
    const error = await transport.send(message(team(11))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailError);
    expect((error as MailError).deferred).toBe(true);
    expect((error as MailError).retryable).toBe(true);
    expect((error as MailError).message).toMatch(/deferred: .*10 an hour/);
    expect(acs.requests.length, "a deferred digest is not even tried").toBe(before);

    // The hourly retry, an hour after the first send: room again.
    clock.t = started + 3_600_000;
    await transport.send(message(team(11)));
    await transport.send(message(team(12)));
    expect(acs.throttled).toEqual([]);
    expect(acs.accepted).toHaveLength(12);
    expect(busiest(acs.accepted, 3_600_000)).toBe(10);
  });

  it("waits the Retry-After of a 429 when the service is stricter than the settings, then sends", async () => {
    const clock = new TestClock();
    // Settings of a custom domain (30 a minute) against a service that holds the managed domain's 5.
    const { acs, transport } = await start(MANAGED_DOMAIN, { emailsPerMinute: 30, emailsPerHour: 100, recipientsPerEmail: 50 }, clock);

    for (let i = 1; i <= 7; i++) await transport.send(message(team(i)));
    expect(acs.accepted).toHaveLength(7);
    expect(acs.throttled).toHaveLength(1);
    const { retryAfterSeconds } = acs.throttled[0]!;
    expect(retryAfterSeconds).toBe(60);
    // The pacing slept exactly what the service asked, on the clock it was given (no SDK sleep in real time).
    expect(clock.sleeps).toEqual([retryAfterSeconds * 1000]);
    expect(busiest(acs.accepted, 60_000)).toBe(5);
  });

  it("defers rather than waits when the Retry-After is longer than a delivery may wait", async () => {
    const clock = new TestClock();
    const { acs, transport } = await start({ perMinute: 100, perHour: 2, recipientsPerEmail: 50 }, { emailsPerMinute: 30, emailsPerHour: 100, recipientsPerEmail: 50 }, clock);
    await transport.send(message(team(1)));
    await transport.send(message(team(2)));
    const error = (await transport.send(message(team(3))).catch((e: unknown) => e)) as MailError;
    expect(error.deferred).toBe(true);
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(error.unsent).toEqual(team(3));
    expect(acs.throttled).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("sends 120 recipients as emails of 50, 50 and 20, in order", async () => {
    const clock = new TestClock();
    const { acs, transport } = await start(MANAGED_DOMAIN, { emailsPerMinute: 5, emailsPerHour: 10, recipientsPerEmail: 50 }, clock);
    const everyone = Array.from({ length: 120 }, (_, i) => `reader-${String(i).padStart(3, "0")}@example.com`);

    const sent = await transport.send(message(everyone));
    const posts = acs.requests.filter((r) => r.method === "POST").map((r) => (r.body as { recipients: { to: Array<{ address: string }> } }).recipients.to.map((t) => t.address));
    expect(posts.map((p) => p.length)).toEqual([50, 50, 20]);
    expect(posts.flat()).toEqual(everyone);
    expect(sent.messageId.split(" ")).toHaveLength(3);
    expect(acs.throttled).toEqual([]);
  });

  it("refuses a digest that needs more emails than the domain sends in an hour, naming the fix", async () => {
    const clock = new TestClock();
    const { acs, transport } = await start(MANAGED_DOMAIN, { emailsPerMinute: 5, emailsPerHour: 10, recipientsPerEmail: 50 }, clock);
    const everyone = Array.from({ length: 501 }, (_, i) => `reader-${i}@example.com`);
    const error = (await transport.send(message(everyone)).catch((e: unknown) => e)) as MailError;
    expect(error.code).toBe("rejected");
    expect(error.message).toMatch(/11 emails .* custom email domain/);
    expect(acs.requests).toEqual([]);
  });

  it("the endpoint really refuses 51 recipients in one email (what the batching avoids)", async () => {
    const clock = new TestClock();
    acs = await startFakeAcs({ limits: MANAGED_DOMAIN, now: clock.now });
    const unpaced = await createAcsTransport({ endpoint: acs.endpoint, credential, ca: acs.caPem, pollIntervalMs: 5 });
    const error = (await unpaced.send(message(Array.from({ length: 51 }, (_, i) => `r${i}@example.com`))).catch((e: unknown) => e)) as MailError;
    expect(error).toBeInstanceOf(MailError);
    expect(error.code).toBe("rejected");
    await unpaced.close();
  });

  it("the unpaced transport reports a 429 with its Retry-After instead of sleeping it", async () => {
    const clock = new TestClock();
    acs = await startFakeAcs({ limits: { perMinute: 1, perHour: 10, recipientsPerEmail: 50 }, now: clock.now });
    acs.runningPolls = 0;
    const unpaced = await createAcsTransport({ endpoint: acs.endpoint, credential, ca: acs.caPem, pollIntervalMs: 5 });
    await unpaced.send(message(team(1)));
    clock.t += 15_000;
    const error = (await unpaced.send(message(team(2))).catch((e: unknown) => e)) as MailError;
    expect(error).toBeInstanceOf(MailError);
    expect(error.code).toBe("unavailable");
    expect(error.retryAfterMs).toBe(45_000);
    // One POST answered 429, not retried by the SDK.
    expect(acs.requests.filter((r) => r.method === "POST")).toHaveLength(2);
    await unpaced.close();
  });
});
