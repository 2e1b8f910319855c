/**
 * Label and field selectors, parsed as the API server parses them. A selector
 * the real server would reject throws SelectorError (served as 400 BadRequest).
 */
import type { KubeObject } from "../fleet/model.js";
import type { ResourceName } from "./resources.js";

export class SelectorError extends Error {
  override readonly name = "SelectorError";
}

export type ObjectPredicate = (object: KubeObject) => boolean;

type LabelRequirement =
  | { op: "=" | "!="; key: string; value: string }
  | { op: "in" | "notin"; key: string; values: Set<string> }
  | { op: "exists" | "!exists"; key: string };

/** `app=web,tier!=db,env in (prod,stage),!legacy,canary`. Empty means everything. */
export function parseLabelSelector(selector: string): ObjectPredicate | undefined {
  const requirements = splitRequirements(selector).map(parseLabelRequirement);
  if (requirements.length === 0) return undefined;
  return (object) => {
    const labels = object.metadata.labels ?? {};
    return requirements.every((requirement) => matchesLabel(requirement, labels));
  };
}

function matchesLabel(requirement: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.op) {
    case "=":
      return has && value === requirement.value;
    case "!=":
      return !has || value !== requirement.value;
    case "in":
      return has && requirement.values.has(value ?? "");
    case "notin":
      return !has || !requirement.values.has(value ?? "");
    case "exists":
      return has;
    case "!exists":
      return !has;
  }
}

/** Splits on commas outside parentheses. */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of selector) {
    if (char === "(") depth += 1;
    if (char === ")") depth -= 1;
    if (char === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== "");
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function parseLabelRequirement(text: string): LabelRequirement {
  const setMatch = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (setMatch) {
    const [, key, op, list] = setMatch as unknown as [string, string, "in" | "notin", string];
    const values = list.split(",").map((value) => value.trim());
    values.forEach((value) => checkValue(value, text));
    return { op, key: checkKey(key, text), values: new Set(values) };
  }
  const comparison = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(text);
  if (comparison) {
    const [, key, op, value] = comparison as unknown as [string, string, string, string];
    return { op: op === "!=" ? "!=" : "=", key: checkKey(key, text), value: checkValue(value.trim(), text) };
  }
  if (text.startsWith("!")) return { op: "!exists", key: checkKey(text.slice(1).trim(), text) };
  return { op: "exists", key: checkKey(text, text) };
}

function checkKey(key: string, requirement: string): string {
  if (!LABEL_KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${requirement}"`);
  return key;
}

function checkValue(value: string, requirement: string): string {
  if (!LABEL_VALUE.test(value) || value.length > 63) {
    throw new SelectorError(`unable to parse requirement: invalid label value: "${value}" in "${requirement}"`);
  }
  return value;
}

/** Field paths each resource supports in field selectors (besides metadata.name and metadata.namespace). */
const EXTRA_FIELDS: Partial<Record<ResourceName, Record<string, (object: KubeObject) => string>>> = {
  pods: {
    "spec.serviceAccountName": (pod) => stringAt(pod, "spec", "serviceAccountName"),
    "spec.nodeName": (pod) => stringAt(pod, "spec", "nodeName"),
    "spec.restartPolicy": (pod) => stringAt(pod, "spec", "restartPolicy"),
    "spec.schedulerName": (pod) => stringAt(pod, "spec", "schedulerName"),
    "spec.hostNetwork": (pod) => String(valueAt(pod, "spec", "hostNetwork") === true),
    "status.phase": (pod) => stringAt(pod, "status", "phase"),
    "status.podIP": (pod) => stringAt(pod, "status", "podIP"),
  },
};

export interface FieldSelector {
  predicate?: ObjectPredicate;
  /** The namespace the selector pins (`metadata.namespace=x`), which narrows the scan. */
  namespace?: string;
}

/** `metadata.name=x,spec.serviceAccountName!=default`. */
export function parseFieldSelector(selector: string, resource: ResourceName): FieldSelector {
  const extra = EXTRA_FIELDS[resource] ?? {};
  const checks: ObjectPredicate[] = [];
  let namespace: string | undefined;
  for (const text of splitRequirements(selector)) {
    const match = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(text);
    if (!match) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${text}'`);
    const [, field, op, rawValue] = match as unknown as [string, string, string, string];
    const value = rawValue.trim();
    const read = fieldReader(field, extra);
    if (!read) throw new SelectorError(`field label not supported: ${field}`);
    if (field === "metadata.namespace" && op !== "!=") namespace = value;
    checks.push(op === "!=" ? (object) => read(object) !== value : (object) => read(object) === value);
  }
  return {
    ...(checks.length > 0 && { predicate: (object: KubeObject) => checks.every((check) => check(object)) }),
    ...(namespace !== undefined && { namespace }),
  };
}

function fieldReader(field: string, extra: Record<string, (object: KubeObject) => string>): ((object: KubeObject) => string) | undefined {
  if (field === "metadata.name") return (object) => object.metadata.name;
  if (field === "metadata.namespace") return (object) => object.metadata.namespace ?? "";
  return extra[field];
}

function valueAt(object: KubeObject, section: string, field: string): unknown {
  const container = object[section];
  return container !== null && typeof container === "object" ? (container as Record<string, unknown>)[field] : undefined;
}

function stringAt(object: KubeObject, section: string, field: string): string {
  const value = valueAt(object, section, field);
  return typeof value === "string" ? value : "";
}
