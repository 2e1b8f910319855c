/**
 * A finding: one problem on one resource, with what a person needs to fix it.
 * The catalog of check ids lives here because findings, suppressions, the store
 * and reports all refer to it; the checks themselves live in shared/checks.
 */

/** Stable ids from ../shared/design/CHECKS.md. Never rename one: findings and suppressions refer to them forever. */
export const CHECK_IDS = [
  "cluster.oidc-issuer-disabled",
  "cluster.workload-identity-disabled",
  "cluster.webhook-not-running",
  "cluster.webhook-config-missing",
  "cluster.webhook-duplicate",
  "sa.client-id-on-wrong-object",
  "sa.client-id-missing",
  "sa.client-id-malformed",
  "sa.client-id-unknown",
  "sa.tenant-id-mismatch",
  "sa.no-matching-fic",
  "fic.issuer-mismatch",
  "fic.subject-malformed",
  "fic.audience-missing",
  "fic.dangling",
  "fic.unknown-issuer",
  "fic.limit-near",
  "pod.label-missing",
  "workload.label-on-wrong-object",
  "pod.not-mutated",
  "pod.token-expiration-invalid",
  "pod.excluded-namespace",
  "pod.proxy-sidecar-host-network",
  "pod.client-id-overridden",
  "binding.credential-missing",
  "binding.annotation-missing",
  "binding.role-missing",
  "binding.not-ready",
  "binding.credential-deleted",
  "identity.no-role-assignments",
  "identity.over-privileged",
  "pod.aadsts-errors",
  "probe.token-exchange-failed",
  "scan.cluster-unreachable",
  "scan.forbidden",
  "scan.subscription-missing",
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** Ordered from most to least severe. */
export const SEVERITIES = ["high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Where the problem is. Empty fields are omitted, never "". */
export interface FindingResource {
  subscriptionId?: string;
  resourceGroup?: string;
  /** Cluster name and ARM id, for cluster-level findings. */
  cluster?: string;
  clusterId?: string;
  namespace?: string;
  /** Kubernetes kind ("ServiceAccount", "Pod", "Deployment", ...) or Azure type ("ManagedCluster", "ManagedIdentity", "AppRegistration", "FederatedCredential"). */
  kind: string;
  name: string;
  /** Client id of the identity involved, when there is one. */
  identityClientId?: string;
  /** ARM id of the managed identity, or "app:<appId>" for an app registration. */
  identityId?: string;
  /** Federated credential name, when the finding is about one. */
  credentialName?: string;
}

/** The values that disagree, kept small: strings, numbers and booleans only. */
export type Evidence = Readonly<Record<string, string | number | boolean>>;

export interface Remediation {
  /** What to do, in one or two sentences. */
  text: string;
  /** A command a person can paste, with real names filled in and every value shell-quoted. */
  command?: string;
}

export interface Finding {
  /** Stable: the same check on the same resource keeps its id across scans (see findingId). */
  id: string;
  checkId: CheckId;
  severity: Severity;
  title: string;
  resource: FindingResource;
  evidence: Evidence;
  remediation: Remediation;
  docsUrl: string;
  /** Compliance controls this finding evidences, e.g. "MCSB IM-3". */
  controls: readonly string[];
}
