/**
 * Cluster snapshot collection: how to reach a cluster's API server
 * (resolveClusterAccess) and what to read from it (collectClusterSnapshot).
 */
export type * from "./model.js";
export { COLLECTION_ERROR_KINDS, PROBE_OUTCOMES, WEBHOOK_ENV_NAMES, WORKLOAD_KINDS } from "./model.js";
export { AKS_SERVER_APP_ID, accessFromKubeconfig, resolveClusterAccess, type ClusterAccess, type ClusterAccessResult, type ClusterCredentialsSource } from "./access.js";
export { COLLECT_DEFAULTS, collectClusterSnapshot, snapshotWithoutAccess, type CollectOptions } from "./collect.js";
export { aadstsEvidence } from "./aadsts.js";
export { IDENTITY_BINDINGS_READ, identityBindingSummary, readIdentityBindings, withIdentityBindings, type IdentityBindingSource } from "./identity-bindings.js";
export { KubeSession, type CallResult, type KubeSessionOptions } from "./kube-session.js";
export { apiPath } from "./kube-http.js";
export { scrub } from "./errors.js";
export { RUN_COMMAND_LISTS, RUN_COMMAND_OUTPUT_LIMIT_BYTES, kubectlListCommand } from "./run-command-lists.js";
export {
  clusterInScopes,
  collectSnapshotThroughRunCommand,
  orThroughRunCommand,
  unreachableDirectly,
  type RunCommandCollectOptions,
  type RunCommandSource,
} from "./run-command.js";
