/**
 * Wildcard matching for suppression patterns, without regular expressions.
 *
 * The pattern used to become a RegExp (`*` → `.*`), which backtracks
 * exponentially: `*a*a*a*a*a*a*a*b` took 24 s against an 81-character name, on
 * every save. This is the greedy two-pointer matcher instead. It remembers only
 * the last `*` seen; on a mismatch it lets that star absorb one more character
 * and retries from there. Earlier stars are never revisited: whatever an
 * earlier star could have absorbed, the later star can absorb as well. So each
 * star restarts at most once per character of the value: O(n·m) steps in the
 * worst case (n = value length, m = pattern length), O(n + m) for patterns
 * with at most one star, and no input can make it slower than that.
 */

/** Case-insensitive glob: "*" matches any run of characters (none included), every other character itself. */
export function globMatches(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  const p = pattern.toLowerCase();
  const v = value.toLowerCase();
  let pi = 0;
  let vi = 0;
  let star = -1;
  let resume = 0;
  while (vi < v.length) {
    if (pi < p.length && p[pi] === "*") {
      star = pi++;
      resume = vi;
    } else if (pi < p.length && p[pi] === v[vi]) {
      pi++;
      vi++;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === "*") pi++;
  return pi === p.length;
}

/** Whether a pattern value names anything: a value of only "*" matches every name. */
export function namesSomething(value: string | undefined): boolean {
  return value !== undefined && /[^*]/.test(value);
}
