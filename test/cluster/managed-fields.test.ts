/**
 * managedFields cut from an object's bytes before parsing: the object parses
 * to the same thing as with them, minus metadata.managedFields, whatever the
 * strings inside hold.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withoutManagedFields } from "../../shared/cluster/managed-fields.js";

const MANAGED = [
  {
    manager: "kube-controller-manager",
    operation: "Update",
    fieldsV1: { "f:metadata": { "f:labels": { ".": {}, "f:app": {} } }, "f:spec": { "f:containers": { 'k:{"name":"app"}': { ".": {}, "f:env": {} } } } },
  },
];

/** Any text, and text made of what a scan of bytes could misread: backslash runs before quotes, brackets, multi-byte characters, long runs. */
const text = fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom("\\", '"', "[", "]", "{", "}", "a", "🐢", "x".repeat(30)), maxLength: 8 }));

const cut = (object: unknown) => JSON.parse(withoutManagedFields(Buffer.from(JSON.stringify(object))).toString("utf8")) as unknown;

describe("withoutManagedFields", () => {
  it("drops metadata.managedFields wherever it stands among the members, and nothing else", () => {
    const metadata = { name: "p", namespace: "n", labels: { app: "x" } };
    expect(cut({ kind: "Pod", metadata: { managedFields: MANAGED, ...metadata }, spec: {} })).toEqual({ kind: "Pod", metadata, spec: {} });
    expect(cut({ kind: "Pod", metadata: { ...metadata, managedFields: MANAGED }, spec: {} })).toEqual({ kind: "Pod", metadata, spec: {} });
    expect(cut({ kind: "Pod", metadata: { name: "p", managedFields: MANAGED, uid: "u" } })).toEqual({ kind: "Pod", metadata: { name: "p", uid: "u" } });
    expect(cut({ metadata: { managedFields: MANAGED } })).toEqual({ metadata: {} });
  });

  it("passes over an annotation of that name, and leaves an object without the array as it is", () => {
    const annotations = { managedFields: "[not, an, array]" };
    expect(cut({ metadata: { annotations, managedFields: MANAGED } })).toEqual({ metadata: { annotations } });
    expect(cut({ metadata: { annotations } })).toEqual({ metadata: { annotations } });
  });

  it("finds the end of fields whose strings end in backslashes or hold brackets and quotes", () => {
    const metadata = { name: "p", labels: { app: "x" } };
    for (const manager of ["a\\", "\\\\", '\\"]', "]}", `${"x".repeat(40)}\\`, `${"x".repeat(40)}\\"]`]) {
      const managedFields = [{ manager, operation: "]", fieldsV1: { [`k:{"name":${JSON.stringify(manager)}}`]: {} } }];
      expect(cut({ metadata: { ...metadata, managedFields }, spec: { manager } })).toEqual({ metadata, spec: { manager } });
      expect(cut({ metadata: { managedFields, ...metadata } })).toEqual({ metadata });
    }
  });

  it("gives the object without managedFields for any strings in the fields and the rest", () => {
    fc.assert(
      fc.property(text, text, fc.dictionary(text, text), (manager, value, labels) => {
        const rest = { name: value, labels };
        const object = { metadata: { ...rest, managedFields: [{ manager, operation: value, fieldsV1: { [`k:{"name":${JSON.stringify(value)}}`]: {} } }] }, spec: { value } };
        expect(cut(object)).toEqual({ metadata: rest, spec: { value } });
      }),
    );
  });
});
