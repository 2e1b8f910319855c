/**
 * Which occurrence of the timer's schedule a firing belongs to: the latest
 * time at or before now that the six-field NCRONTAB expression matches (UTC,
 * as the timer runs unless WEBSITE_TIME_ZONE says otherwise). Two firings for
 * the same occurrence, a retry or a late "past due" run, get the same slot,
 * and so the same scan id.
 */

export class ScheduleError extends Error {
  override readonly name = "ScheduleError";
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: "second", min: 0, max: 59 },
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  { name: "day-of-week", min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

export interface Schedule {
  seconds: ReadonlySet<number>;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
}

export function parseSchedule(expression: string): Schedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 6) throw new ScheduleError(`"${expression}" is not a six-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week})`);
  const [seconds, minutes, hours, days, months, weekdays] = FIELDS.map((spec, i) => parseField(parts[i]!, spec));
  return { seconds: seconds!, minutes: minutes!, hours: hours!, days: days!, months: months!, weekdays: weekdays! };
}

function parseField(text: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const item of text.split(",")) {
    const [rangeText, stepText] = item.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleError(`${spec.name} field "${text}": bad step`);
    let low: number;
    let high: number;
    if (rangeText === "*") {
      low = spec.min;
      high = spec.max;
    } else {
      const [a, b] = rangeText!.split("-");
      low = value(a!, spec, text);
      high = b === undefined ? (stepText === undefined ? low : spec.max) : value(b, spec, text);
    }
    if (low > high) throw new ScheduleError(`${spec.name} field "${text}": range runs backwards`);
    for (let v = low; v <= high; v += step) values.add(spec.name === "day-of-week" && v === 7 ? 0 : v);
  }
  return values;
}

function value(text: string, spec: FieldSpec, field: string): number {
  const named = spec.names?.indexOf(text.toLowerCase().slice(0, 3)) ?? -1;
  const n = named >= 0 && /^[a-z]+$/i.test(text) ? named + spec.min : /^\d+$/.test(text) ? Number(text) : NaN;
  // Sunday may be written 7, as cron allows.
  const max = spec.name === "day-of-week" ? 7 : spec.max;
  if (!Number.isInteger(n) || n < spec.min || n > max) throw new ScheduleError(`${spec.name} field "${field}": "${text}" is not between ${spec.min} and ${max}`);
  return n;
}

/** Searching further back than this means the expression never matches (e.g. 31 February). */
const SEARCH_DAYS = 366 * 5;

/**
 * The latest occurrence of the schedule at or before `now` (second precision, UTC).
 *
 * @example
 * scheduleSlot("0 0 6 * * 1", new Date("2026-12-02T10:00:00Z")) // 2026-11-30T06:00:00.000Z, the Monday before
 */
export function scheduleSlot(expression: string, now: Date): Date {
  const s = parseSchedule(expression);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  let t = Math.floor(nowSeconds / 60) * 60; // start of the current minute, in seconds
  const limit = t - SEARCH_DAYS * 86_400;
  while (t >= limit) {
    const d = new Date(t * 1000);
    if (!s.months.has(d.getUTCMonth() + 1) || !s.days.has(d.getUTCDate()) || !s.weekdays.has(d.getUTCDay())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) / 1000 - 60; // last minute of the day before
      continue;
    }
    if (!s.hours.has(d.getUTCHours())) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()) / 1000 - 60;
      continue;
    }
    if (s.minutes.has(d.getUTCMinutes())) {
      const latest = Math.min(59, nowSeconds - t);
      const second = [...s.seconds].filter((x) => x <= latest).sort((a, b) => b - a)[0];
      if (second !== undefined) return new Date((t + second) * 1000);
    }
    t -= 60;
  }
  throw new ScheduleError(`"${expression}" matches no time in the ${SEARCH_DAYS / 366} years before ${now.toISOString()}`);
}

/**
 * The scan id of a timer slot, in the shape of newScanId() so scans sort by
 * time whoever started them: "20261130T060000Z-timer".
 */
export function timerScanId(slot: Date): string {
  return `${slot.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")}-timer`;
}
