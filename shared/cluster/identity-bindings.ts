/**
 * A cluster's AKS identity bindings, read from ARM: the child resources
 * `Microsoft.ContainerService/managedClusters/identityBindings` that map one
 * user-assigned managed identity to one cluster (azure-aks-docs
 * articles/aks/identity-bindings-concepts.md, "What is an identity
 * binding?"). The identity's `aks-identity-binding` federated credential is
 * shared by all its bindings, so it cannot tell which clusters are bound: only
 * these resources can.
 *
 * Read through the pinned SDK unmodified (`identityBindings.listByManagedCluster`,
 * api-version 2026-04-01), only for clusters where some kept pod or pod
 * template opts in, as the grants of use-managed-identity are. A failed read
 * is an error in the snapshot, never an empty list: the checks that need the
 * bindings stay silent and coverage names the gap. Needs
 * `Microsoft.ContainerService/managedClusters/identityBindings/read`
 * (granted by Reader; docs/permissions.md).
 */
import type { ContainerServiceClient, IdentityBinding } from "@azure/arm-containerservice";
import type { AksCluster } from "../inventory/model.js";
import { kindOfTransportError, scrub } from "./errors.js";
import type { ClusterSnapshot, CollectionError, IdentityBindingSummary } from "./model.js";
import { optsIntoIdentityBinding } from "./summarize.js";

/** Only what is needed of a ContainerServiceClient bound to the cluster's subscription. */
export type IdentityBindingSource = { identityBindings: Pick<ContainerServiceClient["identityBindings"], "listByManagedCluster"> };

/** The ARM read, as a CollectionError names it (scan.forbidden turns a refusal into the permission to grant). */
export const IDENTITY_BINDINGS_READ = { resource: "Microsoft.ContainerService/managedClusters/identityBindings", verb: "read", group: "Microsoft.ContainerService" } as const;

/**
 * Bindings of one cluster, at most: a binding maps one identity, so a cluster
 * has as many as the identities its workloads use through bindings. A list
 * longer than this is not kept (an error says so) rather than kept in part,
 * since a missing binding would be reported as missing.
 */
export const MAX_IDENTITY_BINDINGS = 1_000;
/** ARM resource names and ids are far shorter; a longer value is not a binding ARM would return. */
const MAX_NAME_CHARS = 260;
const MAX_ID_CHARS = 1_024;
const MAX_URL_CHARS = 2_048;
const MAX_STATE_CHARS = 64;

/** Whether a kept pod or pod template opts in to identity binding: only then are bindings (and the grants) worth reading. */
export function someoneOptsIntoIdentityBinding(snapshot: Pick<ClusterSnapshot, "pods" | "workloads">): boolean {
  return snapshot.pods.some((p) => optsIntoIdentityBinding(p.annotations)) || snapshot.workloads.some((w) => optsIntoIdentityBinding(w.template.annotations));
}

/**
 * The snapshot with the cluster's identity bindings, or with the error that
 * kept them from being read; unchanged where no pod opts in.
 *
 * @example
 *   snapshot = await withIdentityBindings(snapshot, clients.containerService(cluster.subscriptionId));
 */
export async function withIdentityBindings(snapshot: ClusterSnapshot, source: IdentityBindingSource): Promise<ClusterSnapshot> {
  if (!someoneOptsIntoIdentityBinding(snapshot)) return snapshot;
  const result = await readIdentityBindings(snapshot.cluster, source);
  return "error" in result ? { ...snapshot, errors: [...snapshot.errors, result.error] } : { ...snapshot, identityBindings: result.bindings };
}

export async function readIdentityBindings(
  cluster: Pick<AksCluster, "resourceGroup" | "name">,
  source: IdentityBindingSource,
): Promise<{ bindings: IdentityBindingSummary[] } | { error: CollectionError }> {
  const bindings: IdentityBindingSummary[] = [];
  try {
    for await (const binding of source.identityBindings.listByManagedCluster(cluster.resourceGroup, cluster.name)) {
      if (bindings.length === MAX_IDENTITY_BINDINGS) {
        return { error: { kind: "error", ...IDENTITY_BINDINGS_READ, message: `not read: the cluster has more than ${MAX_IDENTITY_BINDINGS} identity bindings, the most kept (MAX_IDENTITY_BINDINGS, shared/cluster/identity-bindings.ts)` } };
      }
      const summary = identityBindingSummary(binding);
      if (summary === undefined) {
        return { error: { kind: "error", ...IDENTITY_BINDINGS_READ, message: "not read: ARM returned an identity binding without a name or properties.managedIdentity.resourceId, or with a value longer than any ARM name or id" } };
      }
      bindings.push(summary);
    }
  } catch (error) {
    return { error: readFailure(error) };
  }
  return { bindings: bindings.sort((a, b) => a.name.localeCompare(b.name)) };
}

/**
 * What the checks need of one binding, every string bounded; undefined for an
 * answer ARM would not give (no name, no identity, a value beyond its bound).
 */
export function identityBindingSummary(binding: IdentityBinding): IdentityBindingSummary | undefined {
  const name = bounded(binding.name, MAX_NAME_CHARS);
  const identity = binding.properties?.managedIdentity;
  const resourceId = bounded(identity?.resourceId, MAX_ID_CHARS);
  if (name === undefined || resourceId === undefined || name === TOO_LONG || resourceId === TOO_LONG) return undefined;
  const clientId = bounded(identity?.clientId, MAX_NAME_CHARS);
  const oidcIssuerUrl = bounded(binding.properties?.oidcIssuer?.oidcIssuerUrl, MAX_URL_CHARS);
  const provisioningState = bounded(binding.properties?.provisioningState, MAX_STATE_CHARS);
  if (clientId === TOO_LONG || oidcIssuerUrl === TOO_LONG || provisioningState === TOO_LONG) return undefined;
  return {
    name,
    managedIdentityResourceId: resourceId,
    ...(clientId !== undefined && { clientId: clientId.toLowerCase() }),
    ...(oidcIssuerUrl !== undefined && { oidcIssuerUrl }),
    ...(provisioningState !== undefined && { provisioningState }),
  };
}

const TOO_LONG = Symbol("too long");

function bounded(value: unknown, max: number): string | typeof TOO_LONG | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  return value.length > max ? TOO_LONG : value;
}

/**
 * A refusal (403) keeps its kind, so that scan.forbidden names the permission.
 * Every other failure is kind "error", whatever went wrong: the kinds
 * "unreachable", "unauthorized" and "timeout" speak of the cluster's API
 * server (coverage, cluster health and scan.cluster-unreachable read them so),
 * and an ARM read that failed says nothing about it. The message keeps what
 * happened (status, ARM's code and message, scrubbed).
 */
function readFailure(error: unknown): CollectionError {
  const record = (error ?? {}) as { statusCode?: unknown; code?: unknown; message?: unknown };
  const message = scrub(typeof record.message === "string" && record.message !== "" ? record.message : String(error)).slice(0, 500);
  if (typeof record.statusCode === "number") {
    const code = typeof record.code === "string" ? `${record.code}: ` : "";
    return { kind: record.statusCode === 403 ? "forbidden" : "error", ...IDENTITY_BINDINGS_READ, message: `${code}${message}`, httpStatus: record.statusCode };
  }
  const transport = kindOfTransportError(error);
  const what = transport === "timeout" ? "ARM did not answer in time" : transport === "unreachable" ? "ARM could not be reached" : "the read failed";
  return { kind: "error", ...IDENTITY_BINDINGS_READ, message: `${what}: ${message}` };
}
