import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../simulator/fleet/model.js";
import { parseFieldSelector, parseLabelSelector, SelectorError } from "../../../simulator/kubernetes/selectors.js";

const pod = (labels: Record<string, string>, serviceAccountName = "default"): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "ns", labels },
  spec: { serviceAccountName },
});

describe("label selectors", () => {
  it("treats == like = and matches a missing label with !=", () => {
    const equal = parseLabelSelector("tier==web");
    const notEqual = parseLabelSelector("tier!=web");
    expect(equal?.(pod({ tier: "web" }))).toBe(true);
    expect(notEqual?.(pod({}))).toBe(true);
    expect(notEqual?.(pod({ tier: "web" }))).toBe(false);
  });

  it("matches a missing label with notin and not with in", () => {
    expect(parseLabelSelector("env notin (prod)")?.(pod({}))).toBe(true);
    expect(parseLabelSelector("env in (prod)")?.(pod({}))).toBe(false);
  });

  it("selects everything when empty and rejects malformed requirements", () => {
    expect(parseLabelSelector("")).toBeUndefined();
    expect(() => parseLabelSelector("a b c")).toThrow(SelectorError);
    expect(() => parseLabelSelector("app=has space")).toThrow(SelectorError);
  });
});

describe("field selectors", () => {
  it("pins the namespace and filters pods by service account", () => {
    const selector = parseFieldSelector("metadata.namespace=ns,spec.serviceAccountName!=default", "pods");
    expect(selector.namespace).toBe("ns");
    expect(selector.predicate?.(pod({}, "orders"))).toBe(true);
    expect(selector.predicate?.(pod({}, "default"))).toBe(false);
  });
});
