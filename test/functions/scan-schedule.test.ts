import { describe, expect, it } from "vitest";
import { parseSchedule, scheduleSlot, ScheduleError, timerScanId } from "../../functions/scans/schedule-slot.js";

const WEEKLY = "0 0 6 * * 1";
const at = (iso: string) => new Date(iso);

describe("the timer's schedule slot", () => {
  it("is the Monday 06:00 UTC before any time later in the week", () => {
    expect(scheduleSlot(WEEKLY, at("2026-12-02T10:17:45Z")).toISOString()).toBe("2026-11-30T06:00:00.000Z");
    expect(scheduleSlot(WEEKLY, at("2026-12-06T23:59:59Z")).toISOString()).toBe("2026-11-30T06:00:00.000Z");
  });

  it("is the occurrence itself when the timer fires on time", () => {
    expect(scheduleSlot(WEEKLY, at("2026-11-30T06:00:00.000Z")).toISOString()).toBe("2026-11-30T06:00:00.000Z");
    expect(scheduleSlot(WEEKLY, at("2026-11-30T06:00:00.450Z")).toISOString()).toBe("2026-11-30T06:00:00.000Z");
  });

  it("is last week's occurrence a second before this week's", () => {
    expect(scheduleSlot(WEEKLY, at("2026-11-30T05:59:59Z")).toISOString()).toBe("2026-11-23T06:00:00.000Z");
  });

  it("gives two firings of the same week the same scan id, and the next week another", () => {
    const first = timerScanId(scheduleSlot(WEEKLY, at("2026-11-30T06:00:00.100Z")));
    const pastDue = timerScanId(scheduleSlot(WEEKLY, at("2026-11-30T09:41:00Z")));
    const nextWeek = timerScanId(scheduleSlot(WEEKLY, at("2026-12-07T06:00:01Z")));
    expect(first).toBe("20261130T060000Z-timer");
    expect(pastDue).toBe(first);
    expect(nextWeek).toBe("20261207T060000Z-timer");
  });

  it("follows steps, ranges, lists and day names", () => {
    expect(scheduleSlot("0 */5 * * * *", at("2026-11-30T06:13:10Z")).toISOString()).toBe("2026-11-30T06:10:00.000Z");
    expect(scheduleSlot("30 0 9 * * Mon-Fri", at("2026-11-29T12:00:00Z")).toISOString()).toBe("2026-11-27T09:00:30.000Z");
    expect(scheduleSlot("0 0 6,18 1 * *", at("2026-11-30T12:00:00Z")).toISOString()).toBe("2026-11-01T18:00:00.000Z");
    expect(scheduleSlot("0 0 6 * * 7", at("2026-12-01T00:00:00Z")).toISOString()).toBe("2026-11-29T06:00:00.000Z");
  });

  it("refuses an expression that is not six fields or holds values out of range", () => {
    expect(() => parseSchedule("0 6 * * 1")).toThrow(ScheduleError);
    expect(() => parseSchedule("0 0 25 * * 1")).toThrow(/hour field "25"/);
    expect(() => parseSchedule("0 0 6 * * 1/0")).toThrow(/bad step/);
  });

  it("refuses a schedule that never matches", () => {
    expect(() => scheduleSlot("0 0 6 31 2 *", at("2026-11-30T00:00:00Z"))).toThrow(/matches no time/);
  });
});
