import { IDENTITY_BINDINGS_READ } from "../../cluster/identity-bindings.js";
import type { CollectionError } from "../../cluster/model.js";
import { azAksShow } from "../commands.js";
import { clusterResource, defineCheck, evidence } from "../define.js";
import { DOCS } from "../links.js";

const UNREACHABLE_KINDS: ReadonlySet<CollectionError["kind"]> = new Set(["unreachable", "timeout", "error"]);

export const scanClusterUnreachable = defineCheck({
  id: "scan.cluster-unreachable",
  reads: [],
  title: "Cluster's API server could not be read",
  severityRule: "medium; info when the cluster is stopped",
  risk: "Nothing on this cluster was checked: a broken workload identity setup there goes unreported until the scanner can reach it.",
  remediation: "Let the scanner reach the API server (run it inside the cluster's network, add its egress to the authorized IP ranges, or allow run command for private clusters).",
  docsUrl: DOCS.privateClusters,
  controls: [],
  evaluateCluster(_view, snapshot, report) {
    const { cluster } = snapshot;
    // The ARM read of the cluster's identity bindings is not the API server: its failure is a coverage gap of the binding checks.
    const failures = snapshot.errors.filter((e) => UNREACHABLE_KINDS.has(e.kind) && e.resource !== IDENTITY_BINDINGS_READ.resource);
    if (snapshot.accessPath !== "none" && failures.length === 0) return [];
    const stopped = cluster.powerState?.toLowerCase() === "stopped";
    const first = failures[0];
    const partly = snapshot.accessPath !== "none" && failures.every((e) => e.kind === "error");
    return [
      report({
        severity: stopped ? "info" : "medium",
        title: stopped ? "Cluster is stopped and was not scanned" : partly ? "Part of the cluster's API could not be read" : undefined,
        resource: clusterResource(cluster),
        evidence: evidence({
          accessPath: snapshot.accessPath,
          privateCluster: cluster.isPrivate,
          runCommandDisabled: cluster.runCommandDisabled,
          endpoint: cluster.isPrivate ? cluster.privateFqdn : cluster.fqdn,
          powerState: cluster.powerState,
          failedReads: failures.length,
          firstFailure: first ? `${first.verb} ${first.resource}: ${truncate(first.message)}` : undefined,
          httpStatus: first?.httpStatus,
        }),
        remediation: {
          text: stopped
            ? "Start the cluster, or ignore this finding until it runs again."
            : cluster.isPrivate && cluster.runCommandDisabled === true
              ? // Run command cannot help a cluster that disabled it (apiServerAccessProfile.disableRunCommand).
                "The API server is private and the cluster disables run command: give the scanner a network path to it (VNet integration of the Function App with a VNet that reaches the cluster's private endpoint and resolves its private DNS zone)."
              : cluster.isPrivate
              ? "The API server is private. Either give the scanner a network path to it (VNet integration of the Function App with a VNet that reaches the cluster's private endpoint and resolves its private DNS zone), or let the scanner read it through ARM run command: add the cluster or its subscription to RUN_COMMAND_SCOPES."
              : "Check the API server's authorized IP ranges and the scanner's network path (the command shows them), or let the scanner read the cluster through ARM run command: add the cluster or its subscription to RUN_COMMAND_SCOPES.",
          command: azAksShow(
            cluster,
            "{private:apiServerAccessProfile.enablePrivateCluster,fqdn:fqdn,privateFqdn:privateFqdn,authorizedIpRanges:apiServerAccessProfile.authorizedIpRanges,powerState:powerState.code}",
          ),
        },
      }),
    ];
  },
});

function truncate(message: string): string {
  return message.length > 300 ? `${message.slice(0, 297)}...` : message;
}
