/**
 * How a check is declared: its metadata and its evaluation in one place.
 * Checks are pure and synchronous; the runner isolates each one.
 */
import type { AksCluster } from "../inventory/model.js";
import type { ClusterSnapshot } from "../cluster/model.js";
import {
  findingId,
  type CheckId,
  type Evidence,
  type Finding,
  type FindingResource,
  type Remediation,
  type Severity,
} from "../findings/index.js";
import type { FleetView, WorkloadPrincipal } from "./fleet-view.js";
import type { WorkloadUsage } from "./usage.js";

/** What a check produces for one problem; the factory adds id, check id, docs and controls. */
export interface FindingDraft {
  severity: Severity;
  /** Defaults to the check's title. */
  title?: string;
  resource: FindingResource;
  evidence: Evidence;
  remediation: Remediation;
  /** Defaults to the check's docsUrl; set when one page section fits this finding better (scan.forbidden's permission anchors). */
  docsUrl?: string;
}

export type Report = (draft: FindingDraft) => Finding;

export type ClusterEvaluation = (view: FleetView, snapshot: ClusterSnapshot, report: Report) => Finding[];
export type FleetEvaluation = (view: FleetView, usage: WorkloadUsage, report: Report) => Finding[];

/**
 * What a check's verdicts rest on. Kubernetes resources are the names
 * clusterFacts().sees() knows ("workloads" stands for every controller kind);
 * the rest are Azure and Entra reads and facts about the scan itself.
 */
export const CHECK_INPUTS = [
  "namespaces",
  "serviceaccounts",
  "pods",
  "workloads",
  "services",
  "deployments",
  "mutatingwebhookconfigurations",
  /** Read only where some pod opts in to identity binding (ClusterRoles and their bindings). */
  "clusterroles",
  "clusterrolebindings",
  /** The cluster's AKS identity bindings (ARM), read only where some pod opts in to identity binding. */
  "identity-bindings",
  "pods/log",
  /** The live token-exchange probe (opt-in). */
  "probe",
  /** Federated credentials of the identities and app registrations concerned. */
  "federated-credentials",
  /**
   * The identities and app registrations that service accounts name were
   * found, or proven absent (every subscription read and the Microsoft Graph
   * look-up answered).
   */
  "principals",
  /** Role assignments (Resource Graph). */
  "role-assignments",
  /** Every subscription of the tenant read: what is absent is absent everywhere. */
  "tenant-inventory",
  /** Every cluster's workloads read: an identity no scanned cluster uses is used nowhere. */
  "workload-usage",
] as const;
export type CheckInput = (typeof CHECK_INPUTS)[number];

export interface CheckMetadata {
  id: CheckId;
  /**
   * What decides whether a finding exists: a scan that could not read one of
   * these neither reports nor resolves the finding where the read failed.
   */
  reads: readonly CheckInput[];
  /** Further inputs the severity depends on: without them a finding is kept at its stored severity. */
  gradedBy?: readonly CheckInput[];
  title: string;
  /** How severity is chosen, in words (docs/checks.md repeats it). */
  severityRule: string;
  /** What goes wrong if nobody acts. */
  risk: string;
  /** How to fix it in general; each finding carries its own command with real names. */
  remediation: string;
  docsUrl: string;
  /** Compliance controls the check evidences, e.g. "MCSB IM-3". */
  controls: readonly string[];
  /**
   * Fleet checks that stay silent about a federated credential this check
   * already reported on a cluster (resource with identityId and
   * credentialName): one problem, one finding. The cluster's claims reach the
   * fleet checks through ClusterUsage.claimedCredentials.
   */
  supersedes?: readonly CheckId[];
}

/**
 * A check runs per cluster (`evaluateCluster`, with one snapshot), once per
 * scan over the fleet (`evaluateFleet`), or both (scan.forbidden reads the
 * cluster's and the inventory's errors).
 */
export interface Check extends CheckMetadata {
  evaluateCluster?: ClusterEvaluation;
  evaluateFleet?: FleetEvaluation;
}

export function defineCheck<const C extends Check>(check: C): C {
  if (check.evaluateCluster === undefined && check.evaluateFleet === undefined) {
    throw new Error(`check ${check.id} has nothing to evaluate`);
  }
  return check;
}

export function reportFor(check: CheckMetadata): Report {
  return (draft) => ({
    id: findingId(check.id, draft.resource),
    checkId: check.id,
    severity: draft.severity,
    title: draft.title ?? check.title,
    resource: draft.resource,
    evidence: draft.evidence,
    remediation: draft.remediation,
    docsUrl: draft.docsUrl ?? check.docsUrl,
    controls: check.controls,
  });
}

/** Evidence without the values that are absent (Evidence holds strings, numbers and booleans only). */
export function evidence(values: Readonly<Record<string, string | number | boolean | undefined>>): Evidence {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) out[key] = value;
  return out;
}

/** The cluster as a finding's resource. */
export function clusterResource(cluster: AksCluster): FindingResource {
  return {
    subscriptionId: cluster.subscriptionId,
    resourceGroup: cluster.resourceGroup,
    cluster: cluster.name,
    clusterId: cluster.id,
    kind: "ManagedCluster",
    name: cluster.name,
  };
}

/** A Kubernetes object of a cluster as a finding's resource. */
export function objectResource(
  cluster: AksCluster,
  kind: string,
  namespace: string | undefined,
  name: string,
  principal?: WorkloadPrincipal,
  credentialName?: string,
): FindingResource {
  return {
    subscriptionId: cluster.subscriptionId,
    resourceGroup: cluster.resourceGroup,
    cluster: cluster.name,
    clusterId: cluster.id,
    ...(namespace !== undefined && namespace !== "" && { namespace }),
    kind,
    name,
    ...(principal !== undefined && { identityClientId: principal.clientId, identityId: principal.identityId }),
    ...(credentialName !== undefined && { credentialName }),
  };
}

/** A managed identity or app registration (or one of its credentials) as a finding's resource. */
export function principalResource(principal: WorkloadPrincipal, credentialName?: string): FindingResource {
  const where =
    principal.kind === "managed-identity"
      ? { subscriptionId: principal.identity.subscriptionId, resourceGroup: principal.identity.resourceGroup }
      : {};
  return {
    ...where,
    kind: credentialName !== undefined ? "FederatedCredential" : principal.kind === "managed-identity" ? "ManagedIdentity" : "AppRegistration",
    name: credentialName ?? principal.displayName,
    identityClientId: principal.clientId,
    identityId: principal.identityId,
    ...(credentialName !== undefined && { credentialName }),
  };
}
