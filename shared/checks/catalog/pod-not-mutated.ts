import type { PodSummary } from "../../cluster/model.js";
import { clusterFacts, webhookBrokenOnCluster } from "../cluster-facts.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { DOCS } from "../links.js";
import { PodTargets, examplePods, isLive, recreatePodsCommand } from "../pod-targets.js";
import { hasUseLabel } from "../workload-identity.js";
import { acceptedTokenAudiences } from "../aks-clouds.js";
import { isMutatedForIdentityBinding, optsIntoIdentityBinding } from "../identity-binding.js";

export const podNotMutated = defineCheck({
  id: "pod.not-mutated",
  reads: ["namespaces", "pods", "workloads", "deployments", "mutatingwebhookconfigurations"],
  title: "Labelled pods were not mutated by the webhook",
  severityRule: "high",
  risk: "A labelled pod without the projected token (audience api://AzureADTokenExchange) or AZURE_FEDERATED_TOKEN_FILE cannot authenticate; it was created before the webhook ran or while it failed, and stays that way until recreated.",
  remediation: "Recreate the pods (rollout restart) now that the webhook runs.",
  docsUrl: DOCS.troubleshooting,
  controls: [],
  evaluateCluster(_view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    // A webhook that is off or broken right now is one cluster-level finding, not one per pod.
    if (webhookBrokenOnCluster(facts)) return [];
    const targets = new PodTargets(facts);
    const accepted = acceptedTokenAudiences(snapshot.cluster.oidcIssuerUrl);
    for (const pod of snapshot.pods) {
      if (!hasUseLabel(pod.labels) || !isLive(pod) || facts.isExcludedNamespace(pod.namespace)) continue;
      // A pod that opts in to identity binding gets the binding's audience, not api://AzureADTokenExchange.
      const mutated = optsIntoIdentityBinding(pod.annotations) ? isMutatedForIdentityBinding(pod) : isMutated(pod, accepted);
      if (!mutated) targets.addPod(pod);
    }
    return targets.list().map((target) => {
      const oldest = target.pods.map((p) => p.creationTimestamp).filter((t): t is string => t !== undefined).sort()[0];
      const first = target.pods[0];
      const command = recreatePodsCommand(snapshot.cluster, target);
      const text = "These pods were created without the webhook's changes (before it ran, or while it failed); recreate them so the running webhook mutates them.";
      return report({
        severity: "high",
        resource: objectResource(snapshot.cluster, target.kind, target.namespace, target.name),
        evidence: evidence({
          pods: target.pods.length,
          examplePods: examplePods(target.pods),
          oldestPodCreated: oldest,
          tokenVolume: first ? hasTokenVolume(first, accepted) : undefined,
          federatedTokenFileEnv: first ? hasTokenFileEnv(first) : undefined,
          identityBinding: first !== undefined && optsIntoIdentityBinding(first.annotations) ? true : undefined,
          webhookReadyNow: facts.readyWebhook,
        }),
        remediation: command !== undefined ? { text, command } : { text: `${text} This ${target.kind} cannot be restarted in place: recreate it.` },
      });
    });
  },
});

/** Detected by the projection's audience (the volume's name changed in webhook v1.6.0), any the cluster's cloud allows. */
function hasTokenVolume(pod: PodSummary, accepted: readonly string[]): boolean {
  return pod.projectedTokenVolumes.some((v) => v.audience !== undefined && accepted.includes(v.audience));
}

function hasTokenFileEnv(pod: PodSummary): boolean {
  // Sidecars injected by later webhooks lack the variable; one container carrying it proves the webhook ran.
  return pod.containers.some((c) => c.env.AZURE_FEDERATED_TOKEN_FILE !== undefined);
}

function isMutated(pod: PodSummary, accepted: readonly string[]): boolean {
  return hasTokenVolume(pod, accepted) && hasTokenFileEnv(pod);
}
