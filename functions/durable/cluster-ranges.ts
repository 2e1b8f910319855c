/**
 * How the fleet is cut into sub-orchestrations. A range of at most
 * CLUSTERS_PER_LEAF clusters fans out one activity per cluster; a larger one
 * is split into at most RANGES_PER_BRANCH sub-ranges, each its own
 * sub-orchestration. So every orchestration schedules a bounded number of
 * tasks however large the fleet: 5,000 clusters is a tree three levels deep,
 * and its widest history is that of a leaf.
 */
export const CLUSTERS_PER_LEAF = 50;
export const RANGES_PER_BRANCH = 20;

export interface ClusterRange {
  start: number;
  end: number;
}

/**
 * The sub-ranges of a range, each a whole number of leaves (the last one
 * shorter); empty when the range is small enough to be a leaf.
 */
export function splitClusterRange(range: ClusterRange, leafSize = CLUSTERS_PER_LEAF, branching = RANGES_PER_BRANCH): ClusterRange[] {
  if (leafSize < 1 || branching < 2) throw new RangeError("a leaf holds at least one cluster and a branch at least two ranges");
  const size = range.end - range.start;
  if (size <= leafSize) return [];
  // The smallest chunk (a leaf, times a power of the branching) that needs no more than `branching` children.
  let chunk = leafSize;
  while (Math.ceil(size / chunk) > branching) chunk *= branching;
  const children: ClusterRange[] = [];
  for (let start = range.start; start < range.end; start += chunk) children.push({ start, end: Math.min(start + chunk, range.end) });
  return children;
}
