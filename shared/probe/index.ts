/**
 * The live token-exchange probe (opt-in): proves, rather than predicts,
 * whether each workload-identity service account can get an Azure token.
 */
export { withTokenExchangeProbe, TOKEN_EXCHANGE_AUDIENCE, type ProbeSettings } from "./probe.js";
export { probeTargets, TOKEN_EXPIRATION, type ProbeTarget } from "./targets.js";
export { exchangeServiceAccountToken, JWT_BEARER_ASSERTION, PROBE_SCOPE, PUBLIC_AUTHORITY_HOST, type TokenExchangeRequest, type TokenExchangeVerdict } from "./token-exchange.js";
export { clusterInScopes } from "../cluster/index.js";
