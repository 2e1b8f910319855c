/**
 * Deterministic randomness for generated fleets: the same seed gives the same
 * fleet, byte for byte, so a benchmark or a failing test can be replayed.
 */
import { createHash } from "node:crypto";

const HEX = "0123456789abcdef";
const POD_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"; // what Kubernetes uses for generated names

/** A seeded PRNG (mulberry32) with the few draws a fleet needs. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  hex(length: number): string {
    // Eight characters per draw, joined once: char-by-char concatenation leaves
    // rope strings behind that cost hundreds of bytes each in a 750,000-pod fleet.
    const chunks: string[] = [];
    for (let n = 0; n < length; n += 8) chunks.push(((this.next() * 4294967296) >>> 0).toString(16).padStart(8, "0"));
    return chunks.join("").slice(0, length);
  }

  /** A version-4 GUID. */
  guid(): string {
    return formatGuid(this.hex(32));
  }

  /** A suffix like the ones ReplicaSets and pods get ("7d9f8c6b5d", "x2k9p"). */
  nameSuffix(length: number): string {
    const chars: string[] = [];
    for (let i = 0; i < length; i++) chars.push(POD_SUFFIX_ALPHABET[this.int(POD_SUFFIX_ALPHABET.length)]!);
    return chars.join("");
  }
}

/** A GUID derived from a key: the same key always gives the same GUID (hand-written fleets stay consistent). */
export function guidFor(key: string): string {
  return formatGuid(createHash("sha256").update(key).digest("hex").slice(0, 32));
}

/** Hex characters derived from a key. */
export function hexFor(key: string, length: number): string {
  return createHash("sha256").update(key).digest("hex").slice(0, length);
}

/** A Kubernetes-style name suffix derived from a key. */
export function nameSuffixFor(key: string, length: number): string {
  const digest = createHash("sha256").update(key).digest();
  let out = "";
  for (let i = 0; i < length; i++) out += POD_SUFFIX_ALPHABET[(digest[i] ?? 0) % POD_SUFFIX_ALPHABET.length];
  return out;
}

function formatGuid(hex32: string): string {
  const variant = HEX[8 + (parseInt(hex32[16] ?? "0", 16) % 4)];
  return [hex32.slice(0, 8), hex32.slice(8, 12), `4${hex32.slice(13, 16)}`, `${variant}${hex32.slice(17, 20)}`, hex32.slice(20, 32)].join("-");
}
