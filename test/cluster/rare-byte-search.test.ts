/** The search by a rare part of a needle finds exactly what Buffer.indexOf of the whole needle finds. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { indexOfNeedle, needle } from "../../shared/cluster/rare-byte-search.js";

const NEEDLES = [needle('"serviceAccountName":"', "Account"), needle("azure.workload.identity/", "zure."), needle("AZURE_FEDERATED_TOKEN_FILE", "AZURE"), needle("ab", "b")];

describe("indexOfNeedle", () => {
  it("answers what indexOf answers, from any offset, in text made of the needles' pieces", () => {
    const pieces = NEEDLES.flatMap((n) => {
      const text = n.bytes.toString("latin1");
      return [text, text.slice(0, n.rareFrom), text.slice(n.rareFrom), text.slice(1), text.slice(0, -1)];
    });
    const text = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 3 }), fc.constantFrom("ż", "🐢")), { maxLength: 12 }).map((parts) => Buffer.from(parts.join("")));
    fc.assert(
      fc.property(text, fc.constantFrom(...NEEDLES), fc.nat({ max: 300 }), (bytes, n, from) => {
        expect(indexOfNeedle(bytes, n, from)).toBe(bytes.indexOf(n.bytes, from));
      }),
      { numRuns: 2000 },
    );
  });

  it("finds a needle at the very start and the very end of the bytes", () => {
    const n = needle('"serviceAccount":"', "Account");
    expect(indexOfNeedle(Buffer.from('"serviceAccount":"x'), n)).toBe(0);
    expect(indexOfNeedle(Buffer.from('x"serviceAccount":"'), n)).toBe(1);
    expect(indexOfNeedle(Buffer.from('Account":"'), n)).toBe(-1);
  });

  it("refuses a rare part that is not in the needle", () => {
    expect(() => needle("AzureADTokenExchange", "zure.")).toThrow(/not part of/);
  });
});
