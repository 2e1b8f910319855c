/**
 * The hourly budget shared by every instance: two counters (two instances'
 * table clients) on one Azurite table, spending at the same time.
 */
import { describe, expect, it } from "vitest";
import { createWindowCounter } from "../../../shared/ratelimit/index.js";
import { azuriteConnectionString } from "../../store/fixtures.js";

const config = () => ({ kind: "connection-string" as const, connectionString: azuriteConnectionString(), retentionDays: 90 });

describe("the hourly request budget", () => {
  it("admits exactly the limit when two instances spend concurrently, and refuses the rest with the time left in the hour", async () => {
    const now = () => new Date("2026-11-30T06:59:30.000Z");
    const tablePrefix = `rlrace${process.pid}`;
    const [one, two] = await Promise.all([createWindowCounter(config(), { tablePrefix, now }), createWindowCounter(config(), { tablePrefix, now })]);
    const decisions = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? one : two).take("scans-start", 5)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    expect(decisions.filter((d) => d.allowed).map((d) => d.count).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(decisions.filter((d) => !d.allowed).every((d) => d.retryAfterSeconds === 30)).toBe(true);
    // Another action has a budget of its own.
    expect((await one.take("digests-resend", 5)).allowed).toBe(true);
  });

  it("starts a new budget with the next clock hour", async () => {
    let at = new Date("2026-11-30T06:10:00.000Z");
    const counter = await createWindowCounter(config(), { tablePrefix: `rlhour${process.pid}`, now: () => at });
    expect((await counter.take("scans-start", 1)).allowed).toBe(true);
    expect(await counter.take("scans-start", 1)).toMatchObject({ allowed: false, retryAfterSeconds: 50 * 60 });
    at = new Date("2026-11-30T07:00:00.000Z");
    expect((await counter.take("scans-start", 1)).allowed).toBe(true);
  });
});
