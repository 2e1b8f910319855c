/**
 * What an AKS cluster's OIDC issuer says about the cloud it runs in, and which
 * audiences the token its workload identity webhook projects can carry there.
 * Pure data and functions; the facts, their sources and what is still assumed
 * are in docs/checks.md ("Sovereign clouds: the facts").
 */
import type { AzureCloud } from "../azure/clouds.js";
import type { ClusterSnapshot } from "../cluster/model.js";

/**
 * The webhook's `--audience` default (Azure/azure-workload-identity
 * pkg/webhook/consts.go DefaultAudience, used by NewPodMutator when the flag
 * is empty). The flag is independent of AZURE_ENVIRONMENT, which only picks
 * AZURE_AUTHORITY_HOST (pkg/webhook/webhook.go getAzureAuthorityHost).
 */
export const WEBHOOK_DEFAULT_AUDIENCE = "api://AzureADTokenExchange";

interface AksCloud {
  cloud: AzureCloud;
  /** The domain under `prod-aks.` in the cluster's issuer host. */
  issuerDomain: string;
  /**
   * The token-exchange audience Entra names for this cloud (entra-docs
   * docs/workload-id/workload-identity-federation-config-app-trust-managed-identity.md:
   * Public cloud api://AzureADTokenExchange, Fairfax ...USGov, Mooncake ...China).
   */
  entraTokenExchangeAudience: string;
}

const AKS_CLOUDS: readonly AksCloud[] = [
  { cloud: "AzurePublicCloud", issuerDomain: "azure.com", entraTokenExchangeAudience: "api://AzureADTokenExchange" },
  { cloud: "AzureUSGovernment", issuerDomain: "azure.us", entraTokenExchangeAudience: "api://AzureADTokenExchangeUSGov" },
  { cloud: "AzureChinaCloud", issuerDomain: "azure.cn", entraTokenExchangeAudience: "api://AzureADTokenExchangeChina" },
];

/** `[<region>.]oic.prod-aks.<domain>`, `oidc.prod-aks.<domain>` and the identity-binding `ib.oic.prod-aks.<domain>`. */
const AKS_ISSUER_HOST = /^(?:[a-z0-9-]+\.)*(?:oic|oidc)\.prod-aks\.(azure\.[a-z]+)$/;

function aksCloudOf(issuer: string): AksCloud | undefined {
  let host: string;
  try {
    host = new URL(issuer).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  const domain = AKS_ISSUER_HOST.exec(host)?.[1];
  return AKS_CLOUDS.find((c) => c.issuerDomain === domain);
}

/** The cloud whose AKS issued this issuer URL, when its host is one of the three known forms. */
export function aksIssuerCloud(issuer: string): AzureCloud | undefined {
  return aksCloudOf(issuer)?.cloud;
}

/**
 * The audiences a workload's projected token can carry on a cluster with this
 * issuer, the first being the one commands write. The public cloud: the
 * webhook's default only (verified). Azure Government and 21Vianet: the
 * webhook's default or the cloud's own Entra token-exchange audience, because
 * whether AKS passes `--audience` there is unpublished; accepting both can miss
 * a wrong credential, never invent one. Any other issuer (not an AKS form the
 * scan knows): the webhook's default, as before clouds were told apart.
 */
export function acceptedTokenAudiences(issuer: string | undefined): readonly string[] {
  const aks = issuer === undefined ? undefined : aksCloudOf(issuer);
  if (aks === undefined || aks.entraTokenExchangeAudience === WEBHOOK_DEFAULT_AUDIENCE) return [WEBHOOK_DEFAULT_AUDIENCE];
  return [WEBHOOK_DEFAULT_AUDIENCE, aks.entraTokenExchangeAudience];
}

/**
 * On a cluster whose cloud allows more than one audience, the ones its pods'
 * projected tokens were seen to carry (sorted, unique): what its webhook
 * really projects, which settles the choice for that cluster. Empty in the
 * public cloud and when no pod shows one.
 */
export function seenTokenAudiences(snapshot: Pick<ClusterSnapshot, "cluster" | "pods">): string[] {
  const accepted = acceptedTokenAudiences(snapshot.cluster.oidcIssuerUrl);
  if (accepted.length < 2) return [];
  const seen = snapshot.pods.flatMap((pod) => pod.projectedTokenVolumes.flatMap((v) => (v.audience !== undefined && accepted.includes(v.audience) ? [v.audience] : [])));
  return [...new Set(seen)].sort();
}
