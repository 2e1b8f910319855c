import { describe, expect, it } from "vitest";
import { CLUSTERS_PER_LEAF, RANGES_PER_BRANCH, splitClusterRange, type ClusterRange } from "../../../functions/durable/cluster-ranges.js";

function leaves(range: ClusterRange): ClusterRange[] {
  const children = splitClusterRange(range);
  return children.length === 0 ? [range] : children.flatMap(leaves);
}

function depth(range: ClusterRange): number {
  const children = splitClusterRange(range);
  return children.length === 0 ? 1 : 1 + Math.max(...children.map(depth));
}

describe("cutting the fleet into cluster ranges", () => {
  it("keeps a range of one leaf's size whole", () => {
    expect(splitClusterRange({ start: 0, end: CLUSTERS_PER_LEAF })).toEqual([]);
    expect(splitClusterRange({ start: 0, end: 1 })).toEqual([]);
  });

  it("covers every cluster exactly once, in order, with leaves no larger than a leaf", () => {
    for (const size of [51, 999, 1_000, 1_001, 5_000, 123_457]) {
      const parts = leaves({ start: 0, end: size });
      expect(parts[0]!.start).toBe(0);
      expect(parts.at(-1)!.end).toBe(size);
      parts.forEach((p, i) => {
        expect(p.end - p.start).toBeGreaterThan(0);
        expect(p.end - p.start).toBeLessThanOrEqual(CLUSTERS_PER_LEAF);
        if (i > 0) expect(p.start).toBe(parts[i - 1]!.end);
      });
    }
  });

  it("never gives a branch more than the branching factor of sub-ranges", () => {
    const check = (range: ClusterRange): void => {
      const children = splitClusterRange(range);
      expect(children.length).toBeLessThanOrEqual(RANGES_PER_BRANCH);
      children.forEach(check);
    };
    check({ start: 0, end: 123_457 });
  });

  it("grows the tree in depth, not width: 5,000 clusters are three levels", () => {
    expect(depth({ start: 0, end: 1_000 })).toBe(2);
    expect(depth({ start: 0, end: 5_000 })).toBe(3);
  });
});
