/**
 * Kubernetes label-selector semantics (metav1.LabelSelector), to evaluate a
 * webhook configuration's namespaceSelector and objectSelector the way the API
 * server does. Source: Kubernetes API reference, "LabelSelector" and
 * "LabelSelectorRequirement" ("The requirements are ANDed"; "An empty label
 * selector matches all objects"; In/NotIn need a non-empty `values`,
 * Exists/DoesNotExist an empty one) and apimachinery
 * pkg/labels/selector.go `Requirement.Matches` (NotIn and DoesNotExist match a
 * label set that lacks the key). @kubernetes/client-node 1.4.0 ships the types
 * only, no evaluator.
 */
import type { LabelSelector, Labels } from "../cluster/model.js";

/** "invalid" when the selector breaks the API's validation rules: the API server would have refused it, so nothing is known. */
export type SelectorVerdict = "match" | "no-match" | "invalid";

export function matchLabelSelector(selector: LabelSelector | undefined, labels: Labels): SelectorVerdict {
  // A webhook without a selector (the API server defaults it to {}) selects everything.
  if (selector === undefined) return "match";
  let matches = true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) matches = false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    switch (operator) {
      case "In":
        if (values.length === 0) return "invalid";
        if (!has || !values.includes(labels[key] ?? "")) matches = false;
        break;
      case "NotIn":
        if (values.length === 0) return "invalid";
        if (has && values.includes(labels[key] ?? "")) matches = false;
        break;
      case "Exists":
        if (values.length > 0) return "invalid";
        if (!has) matches = false;
        break;
      case "DoesNotExist":
        if (values.length > 0) return "invalid";
        if (has) matches = false;
        break;
      default:
        return "invalid";
    }
  }
  return matches ? "match" : "no-match";
}

/** A selector in the words of `kubectl get -o wide` (for evidence): `a=b,c notin (x),!d`. */
export function describeLabelSelector(selector: LabelSelector | undefined): string {
  if (selector === undefined) return "(none: everything)";
  const parts = [
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector.matchExpressions ?? []).map(({ key, operator, values = [] }) => {
      switch (operator) {
        case "Exists":
          return key;
        case "DoesNotExist":
          return `!${key}`;
        default:
          return `${key} ${operator.toLowerCase()} (${values.join(",")})`;
      }
    }),
  ];
  return parts.length === 0 ? "(empty: everything)" : parts.join(",");
}
