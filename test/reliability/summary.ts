/**
 * One line per reliability or security area, printed whatever the reporter:
 * what was injected and what was lost (or leaked). The figures go into
 * docs/reliability.md; a line with a non-zero loss never prints, because the
 * assertions that it is zero run first.
 */
export function summaryLine(area: string, injected: string, lost: string, verb: "lost" | "leaked" = "lost"): void {
  process.stdout.write(`[wiscan reliability] ${area}: injected ${injected}; ${verb} ${lost}\n`);
}

/** "12 kubernetes status 503, 4 arm reset" from a map of counts. */
export function describeCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  return entries.length === 0 ? "nothing" : entries.map(([k, n]) => `${n} ${k}`).join(", ");
}
