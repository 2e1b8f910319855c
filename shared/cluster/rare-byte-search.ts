/**
 * Byte search by a rarer part of the needle. Buffer.indexOf finds the
 * needle's first byte and compares from there, so a needle that starts with
 * a byte common in Kubernetes JSON (a quote, a lower-case letter) is compared
 * at almost every byte: `"serviceAccountName":"` took 4x as long over a page
 * of pods as `Account` does (bench/list-items.ts, docs/benchmarks.md).
 * Searching from a rare byte inside the needle and checking the bytes before
 * it finds the same occurrences.
 */
export interface Needle {
  readonly bytes: Buffer;
  /** The part searched for, from `rareFrom` to the end of `bytes`. */
  readonly rare: Buffer;
  readonly rareFrom: number;
}

/** A needle searched from the first occurrence of `rarePart` in `text` (both ASCII). */
export function needle(text: string, rarePart: string): Needle {
  const rareFrom = text.indexOf(rarePart);
  if (rareFrom === -1 || /[^\x20-\x7e]/.test(text)) throw new Error(`needle: "${rarePart}" is not part of the ASCII text "${text}"`);
  const bytes = Buffer.from(text);
  return { bytes, rare: bytes.subarray(rareFrom), rareFrom };
}

/** The index of the needle's first occurrence at or after `from`, or -1: what `bytes.indexOf(needle.bytes, from)` answers. */
export function indexOfNeedle(bytes: Buffer, needle: Needle, from = 0): number {
  const { rare, rareFrom } = needle;
  for (let at = bytes.indexOf(rare, from + rareFrom); at !== -1; at = bytes.indexOf(rare, at + 1)) {
    if (startsBefore(bytes, needle, at - rareFrom)) return at - rareFrom;
  }
  return -1;
}

function startsBefore(bytes: Buffer, needle: Needle, start: number): boolean {
  for (let i = 0; i < needle.rareFrom; i++) if (bytes[start + i] !== needle.bytes[i]) return false;
  return true;
}
