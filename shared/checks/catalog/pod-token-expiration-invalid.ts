import type { Finding } from "../../findings/index.js";
import { clusterFacts } from "../cluster-facts.js";
import { annotateServiceAccount, patchPodTemplate } from "../commands.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { DOCS } from "../links.js";
import { PodTargets, isLive, type PodTarget } from "../pod-targets.js";
import {
  TOKEN_EXPIRATION_ANNOTATION,
  TOKEN_EXPIRATION_MAX_SECONDS,
  TOKEN_EXPIRATION_MIN_SECONDS,
  hasUseLabel,
} from "../workload-identity.js";
import { judge } from "../token-expiration.js";

/**
 * Why the webhook would reject this annotation value; undefined when it accepts
 * it or ignores it (empty: the webhook falls through to the service account's,
 * then the default). Parsed as Go's strconv.ParseInt, so "+3600" is accepted
 * and " 3600" or "3600s" are not (token-expiration.ts cites the webhook).
 */
function rejection(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  const verdict = judge("pod", value);
  return "invalid" in verdict ? verdict.invalid : undefined;
}

const RANGE = `${TOKEN_EXPIRATION_MIN_SECONDS}..${TOKEN_EXPIRATION_MAX_SECONDS}`;

export const podTokenExpirationInvalid = defineCheck({
  id: "pod.token-expiration-invalid",
  reads: ["serviceaccounts", "pods", "workloads"],
  title: "Token expiration annotation is out of range",
  severityRule: "medium",
  risk: `The webhook rejects labelled pods whose ${TOKEN_EXPIRATION_ANNOTATION} is not a decimal integer (Go's strconv.ParseInt: an optional sign and digits, nothing else) in ${RANGE}: the next rollout or scale-up creates no pods at all.`,
  remediation: `Set the annotation to an integer between ${TOKEN_EXPIRATION_MIN_SECONDS} and ${TOKEN_EXPIRATION_MAX_SECONDS}, or remove it (default 3600).`,
  docsUrl: DOCS.labelsAndAnnotations,
  controls: [],
  evaluateCluster(_view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    const { cluster } = snapshot;
    const findings: Finding[] = [];
    const fixed = String(TOKEN_EXPIRATION_MIN_SECONDS);

    for (const sa of snapshot.serviceAccounts) {
      const value = sa.annotations[TOKEN_EXPIRATION_ANNOTATION];
      const why = rejection(value);
      if (value === undefined || why === undefined) continue;
      findings.push(
        report({
          severity: "medium",
          resource: objectResource(cluster, "ServiceAccount", sa.namespace, sa.name),
          evidence: evidence({ annotation: TOKEN_EXPIRATION_ANNOTATION, found: value, rejectedAs: why, allowed: RANGE }),
          remediation: {
            text: "Fix the service account's annotation; labelled pods without their own annotation inherit it and are rejected.",
            command: annotateServiceAccount(cluster, sa.namespace, sa.name, TOKEN_EXPIRATION_ANNOTATION, fixed),
          },
        }),
      );
    }

    // The webhook only sees labelled pods, so only labelled templates and pods can be rejected; their own
    // annotation wins over the service account's (a bad one there is the service account's finding above).
    // Templates and pods are judged by the same rule.
    const targets = new PodTargets(facts);
    const found = new Map<PodTarget, { value: string; why: string }>();
    for (const w of snapshot.workloads) {
      const value = w.template.annotations[TOKEN_EXPIRATION_ANNOTATION];
      const why = rejection(value);
      if (!facts.isTopLevel(w) || !hasUseLabel(w.template.labels) || value === undefined || why === undefined) continue;
      found.set(targets.addWorkload(w), { value, why });
    }
    for (const pod of snapshot.pods) {
      const value = pod.annotations[TOKEN_EXPIRATION_ANNOTATION];
      const why = rejection(value);
      if (!hasUseLabel(pod.labels) || !isLive(pod) || value === undefined || why === undefined) continue;
      const target = targets.addPod(pod);
      if (!found.has(target)) found.set(target, { value, why });
    }
    for (const [target, { value, why }] of found) {
      const { workload } = target;
      findings.push(
        report({
          severity: "medium",
          resource: objectResource(cluster, target.kind, target.namespace, target.name),
          evidence: evidence({ annotation: TOKEN_EXPIRATION_ANNOTATION, found: value, rejectedAs: why, allowed: RANGE, pods: target.pods.length }),
          remediation:
            workload !== undefined && workload.kind !== "Job" && workload.kind !== "ReplicaSet"
              ? {
                  text: "Fix the pod template's annotation; until then the webhook rejects every new pod.",
                  command: patchPodTemplate(cluster, workload.kind, target.namespace, target.name, { annotations: { [TOKEN_EXPIRATION_ANNOTATION]: fixed } }),
                }
              : { text: `Fix the annotation in the ${target.kind}'s pod spec and recreate it.` },
        }),
      );
    }
    return findings;
  },
});
