/**
 * The commands findings offer to paste. Every value from a cluster or from
 * Azure goes through shellQuote; the program names and flags are ours.
 */
import type { AksCluster, FederatedCredential } from "../inventory/model.js";
import type { WorkloadKind } from "../cluster/model.js";
import type { WorkloadPrincipal } from "./fleet-view.js";
import { shellQuote as q } from "./shell-quote.js";
import { TOKEN_EXCHANGE_AUDIENCE } from "./workload-identity.js";
import { acceptedTokenAudiences } from "./aks-clouds.js";

/**
 * kubectl against the cluster's context: `az aks get-credentials` names the
 * context after the cluster, so the command cannot land on the wrong cluster.
 */
export function kubectl(cluster: AksCluster, args: string): string {
  return `kubectl --context ${q(cluster.name)} ${args}`;
}

/**
 * A value the scanner cannot know (which identity a service account should
 * use). Rendered as `${NAME:?hint}`: the shell stops with the hint when the
 * variable is unset instead of running the command with a bogus value.
 */
export interface Placeholder {
  variable: string;
  hint: string;
}

/** One argument: a value quoted, or a placeholder the shell insists on. */
export function arg(value: string | Placeholder): string {
  if (typeof value === "string") return q(value);
  // Our own constant text: no quote, dollar, backtick or brace may appear in the hint.
  return `"\${${value.variable}:?${value.hint}}"`;
}

function keyValue(key: string, value: string | Placeholder): string {
  return typeof value === "string" ? q(`${key}=${value}`) : `${q(`${key}=`)}${arg(value)}`;
}

export function annotateServiceAccount(
  cluster: AksCluster,
  namespace: string,
  name: string | Placeholder,
  key: string,
  value: string | Placeholder,
): string {
  return kubectl(cluster, `annotate serviceaccount --namespace ${q(namespace)} ${arg(name)} ${keyValue(key, value)} --overwrite`);
}

const RESTARTABLE: ReadonlySet<WorkloadKind> = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

/** `kubectl rollout restart` for the kinds that support it; undefined for the others. */
export function rolloutRestart(cluster: AksCluster, kind: WorkloadKind, namespace: string, name: string): string | undefined {
  if (!RESTARTABLE.has(kind)) return undefined;
  return kubectl(cluster, `rollout restart ${kind.toLowerCase()}/${q(name)} --namespace ${q(namespace)}`);
}

/** JSON merge patch of a workload's pod template metadata (CronJob nests it in jobTemplate). */
export function patchPodTemplate(
  cluster: AksCluster,
  kind: WorkloadKind,
  namespace: string,
  name: string,
  metadata: Record<string, Record<string, string | null>>,
): string {
  const template = { template: { metadata } };
  const spec = kind === "CronJob" ? { jobTemplate: { spec: template } } : template;
  return kubectl(cluster, `patch ${kind.toLowerCase()} ${q(name)} --namespace ${q(namespace)} --type merge --patch ${q(JSON.stringify({ spec }))}`);
}

function azScope(cluster: AksCluster): string {
  return `--subscription ${q(cluster.subscriptionId)} --resource-group ${q(cluster.resourceGroup)} --name ${q(cluster.name)}`;
}

export function azAksUpdate(cluster: AksCluster, flags: string): string {
  return `az aks update ${azScope(cluster)} ${flags}`;
}

export function azAksShow(cluster: AksCluster, query: string): string {
  return `az aks show ${azScope(cluster)} --query ${q(query)}`;
}

export interface CredentialSpec {
  name: string;
  issuer: string;
  subject: string;
  /** Default api://AzureADTokenExchange; a sovereign cluster's pods may carry their cloud's own (aks-clouds.ts). */
  audience?: string;
}

function identityScope(principal: Extract<WorkloadPrincipal, { kind: "managed-identity" }>): string {
  const { identity } = principal;
  return `--identity-name ${q(identity.name)} --resource-group ${q(identity.resourceGroup)} --subscription ${q(identity.subscriptionId)}`;
}

function appParameters(spec: CredentialSpec): string {
  return q(JSON.stringify({ name: spec.name, issuer: spec.issuer, subject: spec.subject, audiences: [spec.audience ?? TOKEN_EXCHANGE_AUDIENCE] }));
}

/** Creates a federated credential on a managed identity (az identity) or an app registration (az ad app). */
export function createCredential(principal: WorkloadPrincipal, spec: CredentialSpec): string {
  if (principal.kind === "managed-identity") {
    return (
      `az identity federated-credential create --name ${q(spec.name)} ${identityScope(principal)} ` +
      `--issuer ${q(spec.issuer)} --subject ${q(spec.subject)} --audiences ${q(spec.audience ?? TOKEN_EXCHANGE_AUDIENCE)}`
    );
  }
  return `az ad app federated-credential create --id ${q(principal.clientId)} --parameters ${appParameters(spec)}`;
}

/** Rewrites an existing credential in place, keeping its name. */
export function updateCredential(principal: WorkloadPrincipal, given: CredentialSpec, credential: FederatedCredential): string {
  refuseAksManaged(credential);
  const spec = { ...given, audience: given.audience ?? keptAudience(given.issuer, credential) };
  if (principal.kind === "managed-identity") {
    return (
      `az identity federated-credential update --name ${q(spec.name)} ${identityScope(principal)} ` +
      `--issuer ${q(spec.issuer)} --subject ${q(spec.subject)} --audiences ${q(spec.audience ?? TOKEN_EXCHANGE_AUDIENCE)}`
    );
  }
  return (
    `az ad app federated-credential update --id ${q(principal.clientId)} ` +
    `--federated-credential-id ${q(credential.id ?? credential.name)} --parameters ${appParameters(spec)}`
  );
}

/**
 * An update that fixes the issuer or the subject keeps the credential's audience when a token of
 * that issuer can carry it (a sovereign cloud's own, aks-clouds.ts), else writes the default.
 */
function keptAudience(issuer: string, credential: FederatedCredential): string {
  const accepted = acceptedTokenAudiences(issuer);
  return credential.audiences.find((audience) => accepted.includes(audience)) ?? TOKEN_EXCHANGE_AUDIENCE;
}

export function deleteCredential(principal: WorkloadPrincipal, credential: FederatedCredential): string {
  refuseAksManaged(credential);
  if (principal.kind === "managed-identity") {
    return `az identity federated-credential delete --name ${q(credential.name)} ${identityScope(principal)} --yes`;
  }
  return `az ad app federated-credential delete --id ${q(principal.clientId)} --federated-credential-id ${q(credential.id ?? credential.name)}`;
}

/**
 * AKS manages the identity-binding credential: "Don't modify or delete it"
 * (azure-aks-docs articles/aks/identity-bindings.md). A check that gets here
 * has a bug; the runner turns the throw into that check's error, never a command.
 */
function refuseAksManaged(credential: FederatedCredential): void {
  if (credential.trust.kind === "identity-binding") {
    throw new Error(`refusing to write a command that changes the AKS-managed identity-binding credential ${credential.name}`);
  }
}

export function listCredentials(principal: WorkloadPrincipal): string {
  if (principal.kind === "managed-identity") {
    return `az identity federated-credential list ${identityScope(principal)} --query '[].{name:name,issuer:issuer,subject:subject}' --output table`;
  }
  return `az ad app federated-credential list --id ${q(principal.clientId)} --query '[].{name:name,issuer:issuer,subject:subject}' --output table`;
}

/**
 * A credential name Azure accepts (letters, digits, '-' and '_', 3 to 120
 * characters, starting with a letter or digit) that says which cluster and
 * service account it is for.
 */
export function credentialNameFor(cluster: AksCluster, namespace: string, serviceAccount: string): string {
  const raw = `${cluster.name}-${namespace}-${serviceAccount}`.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  const name = raw.slice(0, 120);
  return name.length >= 3 ? name : `fic-${name}`;
}
