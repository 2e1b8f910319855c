/**
 * Values from Azure and from clusters are untrusted and unbounded: a label
 * can be 10 kB, an annotation can hold markup or line breaks. Every such value
 * passes through clip() before it reaches a template, so a template cannot
 * forget; escaping itself is Handlebars' ({{ }} only).
 */

/** Longest value of each kind, in characters, as shown in the digest. */
export const CLIP = {
  name: 120,
  title: 240,
  evidence: 160,
  reason: 400,
  text: 600,
  command: 1500,
  url: 600,
} as const;
export type ClipKind = keyof typeof CLIP;

/** Shown where a value was cut; the count tells the reader how much is missing. */
export function truncationMarker(omitted: number): string {
  return `… [${omitted} more characters]`;
}

// Control characters and line/paragraph separators would break the plain-text
// layout (a value could fake a line of its own); tabs and newlines become spaces.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A single-line, bounded, display-safe copy of an untrusted value. */
export function clip(value: unknown, kind: ClipKind): string {
  const text = String(value ?? "").replace(CONTROL, " ");
  const max = CLIP[kind];
  if (text.length <= max) return text;
  let head = text.slice(0, max);
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return head + truncationMarker(text.length - head.length);
}

/** Like clip, but keeps line breaks (remediation commands span lines). */
export function clipMultiline(value: unknown, kind: ClipKind): string {
  const text = String(value ?? "")
    .split(/\r?\n/)
    .map((line) => line.replace(CONTROL, " "))
    .join("\n");
  const max = CLIP[kind];
  if (text.length <= max) return text;
  let head = text.slice(0, max);
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return head + truncationMarker(text.length - head.length);
}
