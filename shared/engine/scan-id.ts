import { randomBytes } from "node:crypto";

/**
 * Scan ids sort by time (for "recent scans") and stay unique when two scans
 * start in the same millisecond: "20261129T053654Z-1a2b3c".
 */
export function newScanId(started: Date): string {
  const stamp = started.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}
