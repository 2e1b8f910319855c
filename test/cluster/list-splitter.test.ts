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

  it("finds where each string ends whatever backslashes precede its quotes and wherever the chunks are cut", () => {
    // Runs of backslashes before a quote (\\", \\\\", ...), brackets inside strings, multi-byte characters and strings longer than the splitter's near loop, cut at every byte and into one-byte chunks.
    const tricky = fc.string({ unit: fc.constantFrom("\\", '"', "}", "]", "{", "[", ",", "a", "ż", "🐢", "x".repeat(30)), maxLength: 12 });
    const trickyList = fc.record({ kind: tricky, items: fc.array(fc.dictionary(tricky, fc.oneof(tricky, fc.array(tricky, { maxLength: 3 })), { maxKeys: 3 }), { maxLength: 3 }) });
    fc.assert(
      fc.property(trickyList, (value) => {
        const text = JSON.stringify(value);
        const expected = JSON.parse(text) as { items: unknown[] };
        const length = Buffer.byteLength(text);
        for (let cut = 1; cut < length; cut++) {
          expect(split(text, [cut]).items).toEqual(expected.items);
          expect(split(text, [cut, cut + 1]).items).toEqual(expected.items);
        }
        expect(split(text, Array.from({ length }, (_, at) => at))).toEqual({ items: expected.items, envelope: { ...expected, items: [] } });
      }),
      { numRuns: 50 },
    );
  });

  it("reads a list whose strings end in backslashes, cut right after each of them", () => {
    const long = "x".repeat(40);
    const names = ["\\", "\\\\", '\\"', '\\\\"', "a\\", '"}]', "🐢\\", `${long}\\`, `${long}\\"${long}`, `${long}🐢\\\\`];
    const text = JSON.stringify({ kind: "PodList", metadata: { continue: "\\" }, items: names.map((name) => ({ name, tags: [name] })) });
    const expected = JSON.parse(text) as { items: unknown[] };
    const bytes = Buffer.from(text);
    for (let at = bytes.indexOf(0x5c); at !== -1; at = bytes.indexOf(0x5c, at + 1)) {
      expect(split(text, [at + 1]).items).toEqual(expected.items);
      expect(split(text, [at, at + 1]).items).toEqual(expected.items);
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
    expect(() => split('{"kind":"PodList","items":["a",{"b":1}]}')).toThrow(MalformedAnswerError);
    expect(() => split("")).toThrow(MalformedAnswerError);
  });
});
