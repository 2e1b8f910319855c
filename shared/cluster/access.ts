/**
 * How the scanner reaches one cluster's API server: the address and CA of the
 * cluster-user credential (ARM listClusterUserCredential), and either an Entra
 * token for the AKS server application (Entra-integrated clusters: the
 * kubeconfig's exec plugin, kubelogin, is replaced by the scanner's own
 * credential) or the credential's static token / client certificate.
 *
 * Everything stays in memory; secrets live in closures so that logging or
 * serializing a ClusterAccess shows none of them.
 */
import type { ContainerServiceClient } from "@azure/arm-containerservice";
import type { TokenCredential } from "@azure/core-auth";
import { parse as parseYaml } from "yaml";
import type { AksCluster } from "../inventory/model.js";
import { kindOfStatus, kindOfTransportError, scrub, TokenAcquisitionError } from "./errors.js";
import type { CollectionError } from "./model.js";

/** The AKS server application (Microsoft-managed): audience of every AKS API server's Entra tokens. */
export const AKS_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

export interface ClusterAccess {
  /** API server URL, e.g. https://payments-dns-1a2b.hcp.westeurope.azmk8s.io:443 */
  server: string;
  /** Base64 PEM of the cluster CA (a kubeconfig's certificate-authority-data); system roots when absent. */
  caData?: string;
  /** "entra": token from the scanner's credential; "cluster-user": what the credential itself carries. */
  authentication: "entra" | "cluster-user";
  /** Bearer token for the next request (cached by the provider). */
  bearerToken?: () => Promise<string>;
  clientCertificate?: () => { certData: string; keyData: string };
  /** The kubeconfig cluster's `proxy-url`: wins over HTTPS_PROXY and NO_PROXY for this cluster, as in kubectl (proxy.ts). */
  proxyUrl?: string;
}

export type ClusterAccessResult = { ok: true; access: ClusterAccess } | { ok: false; error: CollectionError };

/** Only what is needed of a ContainerServiceClient bound to the cluster's subscription. */
export type ClusterCredentialsSource = { managedClusters: Pick<ContainerServiceClient["managedClusters"], "listClusterUserCredentials"> };

const LIST_CREDENTIAL_ACTION = {
  resource: "Microsoft.ContainerService/managedClusters/listClusterUserCredential",
  verb: "action",
  group: "Microsoft.ContainerService",
};

/**
 * Reads the cluster-user credential of a cluster through ARM and turns it into
 * a ClusterAccess. Failures come back as a CollectionError, never thrown.
 *
 * @example
 *   const result = await resolveClusterAccess(cluster, { containerService: azure.containerService(cluster.subscriptionId), credential });
 *   const snapshot = result.ok ? await collectClusterSnapshot(cluster, result.access, {}) : snapshotWithoutAccess(cluster, [result.error]);
 */
export async function resolveClusterAccess(
  cluster: AksCluster,
  deps: { containerService: ClusterCredentialsSource; credential: TokenCredential },
): Promise<ClusterAccessResult> {
  let kubeconfigText: string;
  try {
    const result = await deps.containerService.managedClusters.listClusterUserCredentials(cluster.resourceGroup, cluster.name);
    const value = result.kubeconfigs?.[0]?.value;
    if (!value) return failure("error", "the cluster-user credential holds no kubeconfig");
    kubeconfigText = Buffer.from(value).toString("utf8");
  } catch (error) {
    return { ok: false, error: armError(error) };
  }
  return accessFromKubeconfig(cluster, kubeconfigText, deps.credential);
}

/** The ClusterAccess a cluster-user kubeconfig (YAML text) describes. Exported for tests and the CLI. */
export function accessFromKubeconfig(cluster: AksCluster, kubeconfigText: string, credential: TokenCredential): ClusterAccessResult {
  let kubeconfig: Kubeconfig;
  try {
    kubeconfig = (parseYaml(kubeconfigText) ?? {}) as Kubeconfig;
  } catch {
    return failure("error", "the cluster-user credential is not a readable kubeconfig");
  }
  const context = pick(kubeconfig.contexts, kubeconfig["current-context"])?.context;
  const clusterEntry = pick(kubeconfig.clusters, context?.cluster)?.cluster;
  const user = pick(kubeconfig.users, context?.user)?.user ?? {};
  if (!clusterEntry?.server) return failure("error", "the cluster-user credential names no API server");

  const base = {
    server: clusterEntry.server,
    ...(clusterEntry["certificate-authority-data"] && { caData: clusterEntry["certificate-authority-data"] }),
    ...(clusterEntry["proxy-url"] && { proxyUrl: clusterEntry["proxy-url"] }),
  };
  const usesEntra = cluster.aad !== undefined || user.exec !== undefined || user["auth-provider"]?.name === "azure";
  if (usesEntra) {
    const serverId = serverIdOf(user) ?? AKS_SERVER_APP_ID;
    const tenantId = clusterTenantOf(cluster, user);
    return { ok: true, access: { ...base, authentication: "entra", bearerToken: entraTokenProvider(credential, `${serverId}/.default`, tenantId) } };
  }
  const { token } = user;
  const certData = user["client-certificate-data"];
  const keyData = user["client-key-data"];
  if (!token && !(certData && keyData)) return failure("unauthorized", "the cluster-user credential carries neither a token nor a client certificate");
  return {
    ok: true,
    access: {
      ...base,
      authentication: "cluster-user",
      ...(token && { bearerToken: () => Promise.resolve(token) }),
      ...(certData && keyData && { clientCertificate: () => ({ certData, keyData }) }),
    },
  };
}

/** Refresh this long before expiry, so a token never runs out in the middle of a paged list. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/**
 * The tenant whose Entra ID signs the cluster's users in: aadProfile.tenantID
 * (ARM's ManagedClusterAADProfile: "If not specified, will use the tenant of
 * the deployment subscription"), else what the kubeconfig's kubelogin
 * arguments name (--tenant-id), else undefined: the credential's own tenant.
 * In Lighthouse and multi-tenant estates it differs from the scanner's, and a
 * token from the wrong tenant is a 401 however the roles are set.
 */
export function clusterTenantOf(cluster: Pick<AksCluster, "aad">, user: KubeconfigUser = {}): string | undefined {
  return cluster.aad?.tenantId ?? argumentOf(user.exec?.args, "--tenant-id") ?? user["auth-provider"]?.config?.["tenant-id"];
}

function argumentOf(args: readonly string[] | undefined, name: string): string | undefined {
  if (args === undefined) return undefined;
  const at = args.indexOf(name);
  if (at >= 0) return args[at + 1];
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

/**
 * One provider per credential, tenant and scope: clusters scanned side by side
 * share the token instead of each asking Entra for the same one at the same time.
 */
const providers = new WeakMap<TokenCredential, Map<string, () => Promise<string>>>();

/** A cached bearer-token source for one scope in one tenant (undefined: the credential's own tenant). */
export function entraTokenProvider(credential: TokenCredential, scope: string, tenantId?: string): () => Promise<string> {
  let byKey = providers.get(credential);
  if (!byKey) {
    byKey = new Map();
    providers.set(credential, byKey);
  }
  const key = `${tenantId?.toLowerCase() ?? ""}|${scope}`;
  let provider = byKey.get(key);
  if (!provider) {
    provider = newEntraTokenProvider(credential, scope, tenantId);
    byKey.set(key, provider);
  }
  return provider;
}

function newEntraTokenProvider(credential: TokenCredential, scope: string, tenantId: string | undefined): () => Promise<string> {
  let cached: { token: string; expiresOnTimestamp: number } | undefined;
  let pending: Promise<string> | undefined;
  return async () => {
    if (cached && cached.expiresOnTimestamp - TOKEN_REFRESH_MARGIN_MS > Date.now()) return cached.token;
    pending ??= (async () => {
      try {
        const token = await credential.getToken(scope, tenantId !== undefined ? { tenantId } : undefined);
        if (!token) throw new TokenAcquisitionError(`no token for ${scope}`);
        cached = token;
        return token.token;
      } catch (error) {
        if (error instanceof TokenAcquisitionError) throw error;
        const where = tenantId !== undefined ? ` in tenant ${tenantId}` : "";
        throw new TokenAcquisitionError(`could not get a token for ${scope}${where}: ${scrub((error as Error).message ?? String(error))}`);
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
}

interface KubeconfigUser {
  token?: string;
  "client-certificate-data"?: string;
  "client-key-data"?: string;
  exec?: { command?: string; args?: string[] };
  "auth-provider"?: { name?: string; config?: Record<string, string> };
}

interface Kubeconfig {
  "current-context"?: string;
  contexts?: Array<{ name?: string; context?: { cluster?: string; user?: string } }>;
  clusters?: Array<{ name?: string; cluster?: { server?: string; "certificate-authority-data"?: string; "proxy-url"?: string } }>;
  users?: Array<{ name?: string; user?: KubeconfigUser }>;
}

function pick<T extends { name?: string }>(entries: T[] | undefined, name: string | undefined): T | undefined {
  if (!Array.isArray(entries)) return undefined;
  return entries.find((entry) => entry.name === name) ?? entries[0];
}

/** The server application kubelogin would ask a token for (`--server-id`), or the legacy auth-provider's `apiserver-id`. */
function serverIdOf(user: KubeconfigUser): string | undefined {
  const args = user.exec?.args ?? [];
  const index = args.indexOf("--server-id");
  if (index !== -1 && args[index + 1]) return args[index + 1];
  return user["auth-provider"]?.config?.["apiserver-id"];
}

function failure(kind: CollectionError["kind"], message: string, httpStatus?: number): ClusterAccessResult {
  return { ok: false, error: { kind, ...LIST_CREDENTIAL_ACTION, message, ...(httpStatus !== undefined && { httpStatus }) } };
}

function armError(error: unknown): CollectionError {
  const record = (error ?? {}) as { statusCode?: unknown; code?: unknown; message?: unknown };
  const message = scrub(typeof record.message === "string" ? record.message : String(error));
  if (typeof record.statusCode === "number") {
    return { kind: kindOfStatus(record.statusCode), ...LIST_CREDENTIAL_ACTION, message, httpStatus: record.statusCode };
  }
  return { kind: kindOfTransportError(error), ...LIST_CREDENTIAL_ACTION, message };
}
