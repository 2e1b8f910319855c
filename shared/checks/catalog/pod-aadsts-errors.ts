import type { AadstsLogEvidence } from "../../cluster/model.js";
import { clusterFacts } from "../cluster-facts.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { PodTargets, type PodTarget } from "../pod-targets.js";
import { AADSTS_CODES, CLIENT_ID_ANNOTATION } from "../workload-identity.js";

export const podAadstsErrors = defineCheck({
  id: "pod.aadsts-errors",
  reads: ["pods", "pods/log"],
  title: "Workload logs show token exchange errors",
  severityRule: "high",
  risk: "The workload is failing to get Azure tokens right now; the AADSTS code says why.",
  remediation: "Fix what the code points at (see the table in docs/checks.md), then watch the logs clear.",
  docsUrl: DOCS.troubleshooting,
  controls: [MCSB.applicationIdentities],
  // One finding per workload with every code it logged: codes come and go between scans, the workload's problem does not.
  evaluateCluster(view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    const { cluster } = snapshot;
    const pods = new Map(snapshot.pods.map((p) => [`${p.namespace}/${p.name}`, p]));
    const targets = new PodTargets(facts);
    const logged = new Map<PodTarget, AadstsLogEvidence[]>();
    // Several containers and codes per pod: place each pod once.
    const targetOfPod = new Map<string, PodTarget>();
    for (const entry of snapshot.logEvidence) {
      if (AADSTS_CODES[entry.code] === undefined) continue;
      const key = `${entry.namespace}/${entry.pod}`;
      let target = targetOfPod.get(key);
      if (target === undefined) {
        const pod = pods.get(key);
        target = pod ? targets.addPod(pod) : targets.addPodName(entry.namespace, entry.pod);
        targetOfPod.set(key, target);
      }
      logged.set(target, [...(logged.get(target) ?? []), entry]);
    }
    return [...logged].map(([target, entries]) => {
      const byCode = new Map<string, { count: number; lastSeen?: string }>();
      for (const e of entries) {
        const seen = byCode.get(e.code) ?? { count: 0 };
        seen.count += e.count;
        if (e.lastSeen !== undefined && (seen.lastSeen === undefined || e.lastSeen > seen.lastSeen)) seen.lastSeen = e.lastSeen;
        byCode.set(e.code, seen);
      }
      const codes = [...byCode.keys()].sort();
      const serviceAccount = (target.workload?.template.serviceAccountName ?? target.pods[0]?.serviceAccountName ?? "") || "default";
      const clientId = facts.serviceAccount(target.namespace, serviceAccount)?.annotations[CLIENT_ID_ANNOTATION];
      const principal = clientId !== undefined ? view.principalByClientId.get(clientId.toLowerCase()) : undefined;
      const lastSeen = [...byCode.values()].map((s) => s.lastSeen).filter((t): t is string => t !== undefined).sort().at(-1);
      return report({
        severity: "high",
        title: `Workload logs show ${codes.join(", ")}`,
        resource: objectResource(cluster, target.kind, target.namespace, target.name, principal),
        evidence: evidence({
          codes: codes.map((c) => `${c} x${byCode.get(c)?.count ?? 0}`).join(", "),
          meaning: codes.map((c) => `${c}: ${AADSTS_CODES[c]?.meaning}`).join("; "),
          lastSeen,
          serviceAccount: `${target.namespace}/${serviceAccount}`,
          clientId,
        }),
        remediation: { text: codes.map((c) => `${c}: ${AADSTS_CODES[c]?.fix}`).join(" ") },
      });
    });
  },
});
