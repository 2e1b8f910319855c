import { describe, expect, it } from "vitest";
import { evidenceJson, MAX_STRING_PROPERTY, OMITTED_EVIDENCE_KEY, TRUNCATION_MARKER, truncateText } from "../../shared/store/limits.js";

describe("size limits", () => {
  it("leaves short text alone and cuts long text with a marker", () => {
    expect(truncateText("short", 10)).toBe("short");
    const cut = truncateText("a".repeat(100), 50);
    expect(cut).toHaveLength(50);
    expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it("never splits a surrogate pair", () => {
    const cut = truncateText("😀".repeat(100), 51);
    expect(cut.replace(TRUNCATION_MARKER, "")).toMatch(/^(😀)+$/u);
  });

  it("keeps evidence as valid JSON within the property limit, however large", () => {
    const huge = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, "\u0001".repeat(5000)]));
    const json = evidenceJson(huge);
    expect(json.length).toBeLessThanOrEqual(MAX_STRING_PROPERTY);
    const parsed = JSON.parse(json) as Record<string, unknown>;
    expect(parsed[OMITTED_EVIDENCE_KEY]).toMatch(/more evidence value/);
  });

  it("keeps numbers and booleans of evidence as they are", () => {
    expect(JSON.parse(evidenceJson({ n: 3, b: true, s: "x" }))).toEqual({ n: 3, b: true, s: "x" });
  });
});
