import { describe, expect, it } from "vitest";
import { describeLabelSelector, matchLabelSelector } from "../../shared/checks/label-selector.js";

describe("matchLabelSelector (Kubernetes LabelSelector semantics)", () => {
  const labels = { app: "web", tier: "front" };

  it("matches everything with no selector or an empty one", () => {
    expect(matchLabelSelector(undefined, {})).toBe("match");
    expect(matchLabelSelector({}, labels)).toBe("match");
  });

  it("ANDs matchLabels and every expression", () => {
    expect(matchLabelSelector({ matchLabels: { app: "web" } }, labels)).toBe("match");
    expect(matchLabelSelector({ matchLabels: { app: "web", tier: "back" } }, labels)).toBe("no-match");
    expect(matchLabelSelector({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["back"] }] }, labels)).toBe("no-match");
  });

  it("In needs the key with one of the values", () => {
    expect(matchLabelSelector({ matchExpressions: [{ key: "app", operator: "In", values: ["api", "web"] }] }, labels)).toBe("match");
    expect(matchLabelSelector({ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }, labels)).toBe("no-match");
  });

  it("NotIn matches a label set without the key, as apimachinery does", () => {
    const sel = { matchExpressions: [{ key: "kubernetes.azure.com/managedby", operator: "NotIn", values: ["aks"] }] };
    expect(matchLabelSelector(sel, {})).toBe("match");
    expect(matchLabelSelector(sel, { "kubernetes.azure.com/managedby": "other" })).toBe("match");
    expect(matchLabelSelector(sel, { "kubernetes.azure.com/managedby": "aks" })).toBe("no-match");
  });

  it("Exists and DoesNotExist look at the key only (any value, even empty)", () => {
    expect(matchLabelSelector({ matchExpressions: [{ key: "control-plane", operator: "DoesNotExist" }] }, { "control-plane": "" })).toBe("no-match");
    expect(matchLabelSelector({ matchExpressions: [{ key: "control-plane", operator: "DoesNotExist" }] }, labels)).toBe("match");
    expect(matchLabelSelector({ matchExpressions: [{ key: "app", operator: "Exists" }] }, labels)).toBe("match");
    expect(matchLabelSelector({ matchExpressions: [{ key: "zone", operator: "Exists" }] }, labels)).toBe("no-match");
  });

  it("calls a selector the API would refuse invalid (unknown operator, values where none belong, none where needed)", () => {
    expect(matchLabelSelector({ matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] }, labels)).toBe("invalid");
    expect(matchLabelSelector({ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }, labels)).toBe("invalid");
    expect(matchLabelSelector({ matchExpressions: [{ key: "a", operator: "In", values: [] }] }, labels)).toBe("invalid");
  });

  it("describes a selector as kubectl prints one", () => {
    expect(
      describeLabelSelector({
        matchLabels: { a: "b" },
        matchExpressions: [
          { key: "control-plane", operator: "DoesNotExist" },
          { key: "m", operator: "NotIn", values: ["aks"] },
          { key: "e", operator: "Exists" },
        ],
      }),
    ).toBe("a=b,!control-plane,m notin (aks),e");
  });
});
