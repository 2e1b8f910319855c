/**
 * Which pods the workload identity webhook is called for, read from the
 * cluster: the API server calls a webhook only for objects whose namespace
 * matches its namespaceSelector and whose own labels match its objectSelector
 * (Kubernetes "Dynamic Admission Control", "Matching requests:
 * namespaceSelector / objectSelector"). On AKS the namespaceSelector carries
 * what the admissions enforcer wrote into it; a Helm install may carry its own.
 */
import type { Labels, LabelSelector, MutatingWebhookSummary } from "../cluster/model.js";
import { describeLabelSelector, matchLabelSelector } from "./label-selector.js";

/**
 * The AKS admissions enforcer's namespaceSelector, used only when the cluster's
 * webhook configuration cannot be read: `control-plane` DoesNotExist
 * (Azure/AKS#1771) and `kubernetes.azure.com/managedby` NotIn [aks]
 * (Azure/AKS#4002, openkruise/charts#155). The simulator writes the same
 * (simulator/generator/kube.ts AKS_ADMISSIONS_ENFORCER_NAMESPACE_SELECTOR).
 */
export const AKS_DEFAULT_NAMESPACE_SELECTOR: LabelSelector = {
  matchExpressions: [
    { key: "control-plane", operator: "DoesNotExist" },
    { key: "kubernetes.azure.com/managedby", operator: "NotIn", values: ["aks"] },
  ],
};

export interface WebhookSkip {
  /** What leaves the pod out, in words for evidence. */
  reason: string;
  /**
   * "webhook-configuration": the cluster's own selectors; "aks-defaults": the
   * configuration could not be read (or none exists) and AKS's documented
   * behaviour was assumed.
   */
  judgedBy: "webhook-configuration" | "aks-defaults";
  /** The selector that does not match, as kubectl prints selectors. */
  selector?: string;
  /** The namespace label the AKS defaults rest on (for the remediation). */
  label?: string;
}

export interface WebhookScope {
  skips(namespace: string, namespaceLabels: Labels, podLabels?: Labels): WebhookSkip | undefined;
}

export function webhookScope(configurations: readonly MutatingWebhookSummary[], configurationsRead: boolean): WebhookScope {
  const entries = configurations.flatMap((c) => c.webhooks.map((w) => ({ configuration: c.configurationName, ...w })));
  const valid = entries.filter(
    (w) =>
      matchLabelSelector(w.namespaceSelector, {}) !== "invalid" && matchLabelSelector(w.objectSelector, {}) !== "invalid",
  );
  const real = configurationsRead && valid.length > 0;

  return {
    skips(namespace, namespaceLabels, podLabels) {
      // "AKS has an admissions enforcer, which automatically excludes kube-system and AKS
      // internal namespaces" (azure-aks-docs articles/aks/faq.yml), whatever the selectors say.
      if (namespace === "kube-system") return { reason: "kube-system", judgedBy: real ? "webhook-configuration" : "aks-defaults" };
      if (!real) return defaults(namespaceLabels);
      const inNamespace = valid.filter((w) => matchLabelSelector(w.namespaceSelector, namespaceLabels) === "match");
      if (inNamespace.length === 0) {
        const first = valid[0];
        return {
          reason: `the namespace's labels do not match the namespaceSelector of ${first?.configuration ?? "the webhook configuration"}`,
          judgedBy: "webhook-configuration",
          selector: describeLabelSelector(first?.namespaceSelector),
          ...offendingLabel(first?.namespaceSelector, namespaceLabels),
        };
      }
      if (podLabels === undefined || inNamespace.some((w) => matchLabelSelector(w.objectSelector, podLabels) === "match")) return undefined;
      const first = inNamespace[0];
      return {
        reason: `the pod's labels do not match the objectSelector of ${first?.configuration ?? "the webhook configuration"}`,
        judgedBy: "webhook-configuration",
        selector: describeLabelSelector(first?.objectSelector),
      };
    },
  };
}

function defaults(namespaceLabels: Labels): WebhookSkip | undefined {
  if (matchLabelSelector(AKS_DEFAULT_NAMESPACE_SELECTOR, namespaceLabels) === "match") return undefined;
  return {
    reason: "the namespace's labels match what the AKS admissions enforcer excludes (the webhook configuration could not be read)",
    judgedBy: "aks-defaults",
    selector: describeLabelSelector(AKS_DEFAULT_NAMESPACE_SELECTOR),
    ...offendingLabel(AKS_DEFAULT_NAMESPACE_SELECTOR, namespaceLabels),
  };
}

/** The first namespace label that an Exists/DoesNotExist/NotIn expression trips on: removing it is one possible fix. */
function offendingLabel(selector: LabelSelector | undefined, labels: Labels): { label?: string } {
  for (const { key, operator, values = [] } of selector?.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    if ((operator === "DoesNotExist" && has) || (operator === "NotIn" && has && values.includes(labels[key] ?? ""))) return { label: key };
  }
  return {};
}
