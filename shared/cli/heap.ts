/**
 * How far V8 lets the heap grow past what the last full collection kept.
 *
 * On a machine with plenty of memory V8 lets garbage pile up to about four
 * times the live set before it collects the old generation. A fleet scan's
 * live set is small and steady (the inventory, the clusters in flight and
 * their findings: ~45 MB at 2,500 clusters, ~100 MB at 5,000), but its
 * garbage is not: each cluster's requests and pages live long enough to be
 * promoted. With V8's default the scanner peaked at ~420 MB RSS on 5,000
 * clusters; growing by at most half keeps it near 260 MB, for ~10 % more
 * CPU in the garbage collector (docs/benchmarks.md, "Memory").
 *
 * Not --max-old-space-size: a ceiling would turn a larger fleet into an
 * out-of-memory crash, where this only makes collections earlier.
 */
import { setFlagsFromString } from "node:v8";

export const HEAP_GROWING_PERCENT = 50;

/** Call once, early in a process that runs whole scans (the CLI). */
export function limitHeapGrowth(percent: number = HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
