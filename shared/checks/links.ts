/** The project's own documentation: the docs/ folder of the repository, as GitHub renders it. */
const PROJECT_DOCS = "https://github.com/wiscan/wiscan/blob/main/docs";

/** Documentation the findings link to. */
export const DOCS = {
  /** What the scanner may do and why, with one anchored line per permission (permissionDocsUrl). */
  permissions: `${PROJECT_DOCS}/permissions.md`,
  overview: "https://learn.microsoft.com/azure/aks/workload-identity-overview",
  deploy: "https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster",
  oidcIssuer: "https://learn.microsoft.com/azure/aks/use-oidc-issuer",
  troubleshooting: "https://azure.github.io/azure-workload-identity/docs/troubleshooting.html",
  labelsAndAnnotations: "https://azure.github.io/azure-workload-identity/docs/topics/service-account-labels-and-annotations.html",
  federatedCredential: "https://azure.github.io/azure-workload-identity/docs/topics/federated-identity-credential.html",
  federationConsiderations: "https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations",
  helmInstall: "https://azure.github.io/azure-workload-identity/docs/installation/mutating-admission-webhook.html",
  rbacBestPractices: "https://learn.microsoft.com/azure/role-based-access-control/best-practices",
  privateClusters: "https://learn.microsoft.com/azure/aks/private-clusters",
  kubernetesRbac: "https://kubernetes.io/docs/reference/access-authn-authz/rbac/",
  identityBindings: "https://learn.microsoft.com/azure/aks/identity-bindings",
} as const;

/** Microsoft cloud security benchmark controls, ids as published. */
export const MCSB = {
  /** IM-1: Use centralized identity and authentication system. */
  centralizedIdentity: "MCSB IM-1",
  /** IM-3: Manage application identities securely and automatically. */
  applicationIdentities: "MCSB IM-3",
  /** PA-7: Follow just enough administration (least privilege) principle. */
  leastPrivilege: "MCSB PA-7",
} as const;

/**
 * The line of docs/permissions.md for one permission. Anchors are built as
 * that page documents: the parts joined with "-", lower case, every run of
 * characters other than letters and digits turned into "-".
 *
 * @example
 * permissionDocsUrl("kubernetes", "pods", "log", "get") // ".../docs/permissions.md#kubernetes-pods-log-get"
 */
export function permissionDocsUrl(...parts: string[]): string {
  const anchor = parts.join("-").toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return `${DOCS.permissions}#${anchor}`;
}
