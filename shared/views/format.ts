/** How times, durations, counts and links read in the digest and the console: one place, so both say the same. */
import { clip } from "../digest/text-bounds.js";

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

export function formatInstant(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? clip(iso, "name") : new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

export function formatDay(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? "?" : new Date(ms).toISOString().slice(5, 10);
}

export function formatDayTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? "?" : new Date(ms).toISOString().slice(5, 16).replace("T", " ");
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Only https links from findings reach an href; anything else is dropped. */
export function safeUrl(url: string): string {
  return /^https:\/\/[^\s"'<>]+$/i.test(url) ? clip(url, "url") : "";
}
