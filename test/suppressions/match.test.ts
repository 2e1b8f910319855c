import { describe, expect, it } from "vitest";
import { applySuppressions, globMatches, matchSuppression, type Suppression } from "../../shared/suppressions/index.js";
import { saFinding } from "../store/fixtures.js";

const now = new Date("2026-11-10T00:00:00Z");
const base: Suppression = {
  id: "s1",
  checkId: "sa.no-matching-fic",
  pattern: { namespace: "istio-*" },
  reason: "accepted",
  createdBy: "alice@example.com",
  createdById: "00000000-0000-0000-0000-00000000a11c",
  createdAt: "2026-11-01T00:00:00.000Z",
  expiresAt: "2026-12-01T00:00:00.000Z",
};

describe("globMatches", () => {
  it("matches '*' as any run of characters, everything else literally and case-insensitively, anchored at both ends", () => {
    const cases: Array<[string, string, boolean]> = [
      ["*", "", true],
      ["", "", true],
      ["", "a", false],
      ["a*", "a", true],
      ["*a", "ba", true],
      ["*a", "ab", false],
      ["a*b*c", "aXXbYYc", true],
      ["a*b*c", "aXXbYYcZ", false],
      ["a*b", "abab", true],
      ["**x**", "yyxyy", true],
      ["a.c", "abc", false],
      ["(a+)+$", "(a+)+$", true],
      ["AKS-Prod-*", "aks-prod-7", true],
      ["*/managedclusters/aks-1", "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-1", true],
    ];
    for (const [pattern, value, expected] of cases) expect(globMatches(pattern, value), `${pattern} ~ ${value}`).toBe(expected);
    expect(globMatches("*", undefined)).toBe(false);
  });

  // Adversarial patterns that made the RegExp translation backtrack for seconds (24 s at 81 characters).
  // The matcher is linear by construction (see shared/suppressions/glob.ts); only the results are asserted here, timing is for benchmarks.
  it("answers patterns built to backtrack, against long names", () => {
    const evil = "*a*a*a*a*a*a*a*b";
    expect(globMatches(evil, "a".repeat(81))).toBe(false);
    expect(globMatches(evil, "a".repeat(10_000))).toBe(false);
    expect(globMatches(evil, `${"a".repeat(10_000)}b`)).toBe(true);
    expect(globMatches("*".repeat(500) + "b", "a".repeat(10_000))).toBe(false);
    expect(globMatches("a*".repeat(200) + "c", "a".repeat(10_000) + "b")).toBe(false);
    expect(globMatches("*aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", `${"a".repeat(10_000)}b`)).toBe(true);
  });
});

describe("matchSuppression", () => {
  const f = saFinding("aks-prod-1", "istio-system", "ingress");

  it("skips lifted and expired suppressions, and prefers the one lasting longest", () => {
    expect(matchSuppression(f, [base], now)?.id).toBe("s1");
    expect(matchSuppression(f, [{ ...base, lifted: { by: "bob", byId: "b", at: "2026-11-05T00:00:00.000Z", reason: "fixed" } }], now)).toBeUndefined();
    expect(matchSuppression(f, [{ ...base, expiresAt: now.toISOString() }], now)).toBeUndefined();
    const longer = { ...base, id: "s2", expiresAt: "2027-01-01T00:00:00.000Z" };
    expect(matchSuppression(f, [base, longer], now)?.id).toBe("s2");
  });

  it("names an identity by client id or ARM id", () => {
    expect(matchSuppression(f, [{ ...base, pattern: { identity: "AAAAAAAA-0000-0000-0000-000000000001" } }], now)?.id).toBe("s1");
    expect(matchSuppression(f, [{ ...base, pattern: { identity: "bbbbbbbb-*" } }], now)).toBeUndefined();
  });

  it("is the filter stage the CLI shares with the store: every finding kept, the hidden ones marked", () => {
    const other = saFinding("aks-prod-1", "payments", "api");
    const out = applySuppressions([f, other], [base], now);
    expect(out.map((x) => x.id)).toEqual([f.id, other.id]);
    expect(out[0]?.suppression).toEqual({ id: "s1", reason: "accepted", createdBy: "alice@example.com", expiresAt: base.expiresAt });
    expect(out[1]?.suppression).toBeUndefined();
  });
});
