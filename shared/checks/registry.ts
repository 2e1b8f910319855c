/**
 * Every check, in catalog order (../shared/design/CHECKS.md). Explicit on
 * purpose: adding a check means adding it here, and the registry test holds
 * this list, the catalog of ids and docs/checks.md together.
 */
import type { Check } from "./define.js";
import { clusterOidcIssuerDisabled } from "./catalog/cluster-oidc-issuer-disabled.js";
import { clusterWorkloadIdentityDisabled } from "./catalog/cluster-workload-identity-disabled.js";
import { clusterWebhookNotRunning } from "./catalog/cluster-webhook-not-running.js";
import { clusterWebhookConfigMissing } from "./catalog/cluster-webhook-config-missing.js";
import { clusterWebhookDuplicate } from "./catalog/cluster-webhook-duplicate.js";
import { saClientIdOnWrongObject } from "./catalog/sa-client-id-on-wrong-object.js";
import { saClientIdMissing } from "./catalog/sa-client-id-missing.js";
import { saClientIdMalformed } from "./catalog/sa-client-id-malformed.js";
import { saClientIdUnknown } from "./catalog/sa-client-id-unknown.js";
import { saTenantIdMismatch } from "./catalog/sa-tenant-id-mismatch.js";
import { saNoMatchingFic } from "./catalog/sa-no-matching-fic.js";
import { ficIssuerMismatch } from "./catalog/fic-issuer-mismatch.js";
import { ficSubjectMalformed } from "./catalog/fic-subject-malformed.js";
import { ficAudienceMissing } from "./catalog/fic-audience-missing.js";
import { ficDangling } from "./catalog/fic-dangling.js";
import { ficUnknownIssuer } from "./catalog/fic-unknown-issuer.js";
import { ficLimitNear } from "./catalog/fic-limit-near.js";
import { podLabelMissing } from "./catalog/pod-label-missing.js";
import { workloadLabelOnWrongObject } from "./catalog/workload-label-on-wrong-object.js";
import { podNotMutated } from "./catalog/pod-not-mutated.js";
import { podTokenExpirationInvalid } from "./catalog/pod-token-expiration-invalid.js";
import { podExcludedNamespace } from "./catalog/pod-excluded-namespace.js";
import { podProxySidecarHostNetwork } from "./catalog/pod-proxy-sidecar-host-network.js";
import { podClientIdOverridden } from "./catalog/pod-client-id-overridden.js";
import { bindingCredentialMissing } from "./catalog/binding-credential-missing.js";
import { bindingAnnotationMissing } from "./catalog/binding-annotation-missing.js";
import { bindingRoleMissing } from "./catalog/binding-role-missing.js";
import { bindingNotReady } from "./catalog/binding-not-ready.js";
import { bindingCredentialDeleted } from "./catalog/binding-credential-deleted.js";
import { identityNoRoleAssignments } from "./catalog/identity-no-role-assignments.js";
import { identityOverPrivileged } from "./catalog/identity-over-privileged.js";
import { podAadstsErrors } from "./catalog/pod-aadsts-errors.js";
import { probeTokenExchangeFailed } from "./catalog/probe-token-exchange-failed.js";
import { scanClusterUnreachable } from "./catalog/scan-cluster-unreachable.js";
import { scanForbidden } from "./catalog/scan-forbidden.js";
import { scanSubscriptionMissing } from "./catalog/scan-subscription-missing.js";

export const CHECKS: readonly Check[] = [
  clusterOidcIssuerDisabled,
  clusterWorkloadIdentityDisabled,
  clusterWebhookNotRunning,
  clusterWebhookConfigMissing,
  clusterWebhookDuplicate,
  saClientIdOnWrongObject,
  saClientIdMissing,
  saClientIdMalformed,
  saClientIdUnknown,
  saTenantIdMismatch,
  saNoMatchingFic,
  ficIssuerMismatch,
  ficSubjectMalformed,
  ficAudienceMissing,
  ficDangling,
  ficUnknownIssuer,
  ficLimitNear,
  podLabelMissing,
  workloadLabelOnWrongObject,
  podNotMutated,
  podTokenExpirationInvalid,
  podExcludedNamespace,
  podProxySidecarHostNetwork,
  podClientIdOverridden,
  bindingCredentialMissing,
  bindingAnnotationMissing,
  bindingRoleMissing,
  bindingNotReady,
  bindingCredentialDeleted,
  identityNoRoleAssignments,
  identityOverPrivileged,
  podAadstsErrors,
  probeTokenExchangeFailed,
  scanClusterUnreachable,
  scanForbidden,
  scanSubscriptionMissing,
];
