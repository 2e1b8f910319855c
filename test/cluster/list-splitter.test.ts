import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ListSplitter, MalformedAnswerError } from "../../shared/cluster/list-splitter.js";

/** Feeds `text` to a splitter in pieces cut at `cuts` (byte offsets) and returns what it handed over. */
function split(text: string, cuts: number[] = []): { items: unknown[]; envelope: unknown } {
  const bytes = Buffer.from(text, "utf8");
  const items: unknown[] = [];
  const splitter = new ListSplitter((json) => items.push(JSON.parse(json.toString("utf8"))));
  let from = 0;
  for (const cut of [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b)) {
    splitter.write(bytes.subarray(from, cut));
    from = cut;
  }
  splitter.write(bytes.subarray(from));
  return { items, envelope: splitter.end() };
}

const item = fc.dictionary(fc.string({ unit: "binary" }), fc.jsonValue(), { maxKeys: 6 });
const list = fc.record({
  kind: fc.constantFrom("PodList", "ServiceAccountList", "items"),
  apiVersion: fc.constant("v1"),
  metadata: fc.record({ resourceVersion: fc.string(), continue: fc.option(fc.string({ unit: "binary" }), { nil: undefined }), items: fc.option(fc.array(fc.jsonValue(), { maxLength: 3 }), { nil: undefined }) }),
  items: fc.array(item, { maxLength: 8 }),
});

describe("ListSplitter", () => {
  it("hands over exactly the items JSON.parse finds, however the bytes are cut", () => {
    fc.assert(
      fc.property(list, fc.array(fc.nat({ max: 4000 }), { maxLength: 12 }), fc.boolean(), (value, cuts, pretty) => {
        const text = pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value);
        const { items, envelope } = split(text, cuts);
        const parsed = JSON.parse(text) as { items: unknown[] };
        expect(items).toEqual(parsed.items);
        expect(envelope).toEqual({ ...parsed, items: [] });
      }),
      { numRuns: 400 },
    );
  });

  it("cuts a list at every byte without losing a quote, an escape or a multi-byte character", () => {
    const text = JSON.stringify({
      kind: "PodList",
      metadata: { continue: 'eyJ2Ijoi"}]' },
      items: [{ name: 'a\\"}],{"items":[' }, { name: "żółw 🐢 \u2028", nested: { items: [{ x: 1 }] } }, {}],
    });
    const expected = JSON.parse(text) as { items: unknown[] };
    for (let cut = 1; cut < Buffer.byteLength(text); cut++) {
      expect(split(text, [cut]).items).toEqual(expected.items);
    }
  });

  it("keeps the continue token of the list and hands over nothing for a list without items", () => {
    expect(split('{"kind":"PodList","metadata":{"continue":"next"},"items":null}')).toEqual({ items: [], envelope: { kind: "PodList", metadata: { continue: "next" }, items: null } });
    expect(split('{"kind":"PodList","metadata":{}}')).toEqual({ items: [], envelope: { kind: "PodList", metadata: {} } });
  });

  it("refuses a list that ends early, and an items array that holds something other than objects", () => {
    expect(() => split('{"kind":"PodList","items":[{"a":1},{"b":')).toThrow(MalformedAnswerError);
    expect(() => split('{"kind":"PodList","items":[{"a":"unterminated')).toThrow(MalformedAnswerError);
    expect(() => split('{"kind":"PodList","items":[1,2]}')).toThrow(MalformedAnswerError);
    expect(() => split("")).toThrow(MalformedAnswerError);
  });
});
