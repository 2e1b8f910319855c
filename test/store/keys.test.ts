import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeKey, encodeKey, historyBucket, HISTORY_BUCKETS, isValidKey, MAX_KEY_LENGTH, newestFirstKey, prefixRange } from "../../shared/store/keys.js";

describe("table keys", () => {
  it("escapes the characters Table Storage refuses in keys", () => {
    expect(encodeKey("/subscriptions/a/rg#1?x\\y")).toBe("~2fsubscriptions~2fa~2frg~231~3fx~5cy");
    expect(encodeKey("tab\there\u0000")).toBe("tab~09here~00");
    expect(isValidKey(encodeKey("a/b#c?d\\e\u007f\u0085"))).toBe(true);
  });

  it("keeps unicode and ordinary punctuation as they are", () => {
    expect(encodeKey("名前-😀.x_y:z'q")).toBe("名前-😀.x_y:z'q");
  });

  it("decodes what it encoded", () => {
    fc.assert(fc.property(fc.string({ maxLength: 100 }), (s) => decodeKey(encodeKey(s)) === s));
  });

  it("produces a valid, unique key of bounded length for any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 2000 }), fc.string({ unit: "binary", maxLength: 2000 }), (a, b) => {
        const ka = encodeKey(a);
        expect(isValidKey(ka)).toBe(true);
        expect(ka.length).toBeLessThanOrEqual(MAX_KEY_LENGTH);
        if (a !== b) expect(ka).not.toBe(encodeKey(b));
      }),
    );
  });

  it("shortens a long key to a readable head and a hash", () => {
    const key = encodeKey("x".repeat(1000));
    expect(key).toMatch(/^x+![0-9a-f]{32}$/);
    expect(encodeKey("x".repeat(1000))).toBe(key);
  });

  it("gives a range that holds exactly the keys with a prefix", () => {
    const { lower, upper } = prefixRange("abc|");
    for (const inside of ["abc|", "abc|x", "abc|~ff"]) expect(inside >= lower && inside < upper).toBe(true);
    for (const outside of ["abc", "abd", "abc}", "abb|"]) expect(outside >= lower && outside < upper).toBe(false);
  });

  it("sorts later times first", () => {
    expect(newestFirstKey(new Date("2026-11-09T00:00:00Z")) < newestFirstKey(new Date("2026-11-02T00:00:00Z"))).toBe(true);
    expect(newestFirstKey(new Date(0))).toHaveLength(13);
  });

  it("spreads findings over the history partitions", () => {
    const buckets = new Set(Array.from({ length: 2000 }, (_, i) => historyBucket(`finding-${i}`)));
    expect(buckets.size).toBe(HISTORY_BUCKETS);
  });
});
