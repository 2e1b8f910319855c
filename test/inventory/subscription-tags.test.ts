import { describe, expect, it } from "vitest";
import { toTags } from "../../shared/inventory/mapping.js";
import { SUBSCRIPTIONS_QUERY } from "../../shared/inventory/queries.js";

describe("subscription tags from Resource Graph", () => {
  it("are read by the subscriptions query, for routing digests by tag", () => {
    expect(SUBSCRIPTIONS_QUERY).toMatch(/\| project [^|]*\btags\b/);
  });

  it("keep string values and drop anything else; no tags at all is absent, not empty", () => {
    expect(toTags({ "owner-email": "pay@example.com", costcenter: "42", nested: { a: 1 }, n: 3 })).toEqual({ "owner-email": "pay@example.com", costcenter: "42" });
    expect(toTags(null)).toBeUndefined();
    expect(toTags({})).toBeUndefined();
    expect(toTags(["a"])).toBeUndefined();
  });
});
