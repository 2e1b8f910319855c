import type { CollectionError } from "../../cluster/model.js";
import type { Finding } from "../../findings/index.js";
import type { AksCluster, InventoryError } from "../../inventory/model.js";
import { arg, kubectl, type Placeholder } from "../commands.js";
import { clusterResource, defineCheck, evidence, objectResource, type Report } from "../define.js";
import { DOCS } from "../links.js";
import { shellQuote as q } from "../shell-quote.js";
import { isGuid } from "../workload-identity.js";

const SCANNER: Placeholder = { variable: "SCANNER_PRINCIPAL_ID", hint: "set SCANNER_PRINCIPAL_ID to the object id of the scanner's identity" };

export const scanForbidden = defineCheck({
  id: "scan.forbidden",
  title: "The scanner lacks a permission",
  severityRule: "medium",
  risk: "Checks that need the refused read stay silent: problems there go unreported until the permission is granted.",
  remediation: "Grant the scanner's identity exactly the permission the finding names (read-only; see infra/ for the scanner's roles).",
  docsUrl: DOCS.kubernetesRbac,
  controls: [],
  evaluateCluster(_view, snapshot, report) {
    const { cluster } = snapshot;
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const error of snapshot.errors) {
      if (error.kind === "unauthorized") {
        if (seen.has("unauthorized")) continue;
        seen.add("unauthorized");
        findings.push(unauthorized(cluster, error, report));
      } else if (error.kind === "forbidden") {
        const key = [error.verb, error.group ?? "", error.resource, error.namespace ?? ""].join("|");
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push(forbidden(cluster, error, report));
      }
    }
    return findings;
  },
  evaluateFleet(view, _usage, report) {
    // One finding per missing permission, not per identity or subscription it blocked.
    const groups = new Map<string, InventoryError[]>();
    for (const error of view.inventory.errors) {
      if (error.kind !== "forbidden") continue;
      const key = `${error.operation}|${error.permission ?? ""}`;
      groups.set(key, [...(groups.get(key) ?? []), error]);
    }
    return [...groups.values()].map((errors) => {
      const first = errors[0] as InventoryError;
      const permission = first.permission;
      const scope = azureScope(first.resource);
      const graphPermission = permission !== undefined && /^[A-Za-z]+\.[A-Za-z.]+$/.test(permission);
      return report({
        severity: "medium",
        title: permission ? `The scanner lacks ${permission} for ${first.operation}` : `The scanner may not read ${first.operation}`,
        resource: { kind: "Permission", name: permission ?? first.operation },
        evidence: evidence({ operation: first.operation, permission, refusals: errors.length, exampleResource: first.resource, message: first.message.slice(0, 300) }),
        remediation: graphPermission
          ? { text: `Grant the scanner's identity the Microsoft Graph application permission ${permission} and have an administrator consent to it.` }
          : permission !== undefined && scope !== undefined
            ? {
                text: `Assign ${permission} to the scanner's identity (narrowest scope that covers what it reads).`,
                command: `az role assignment create --assignee-object-id ${arg(SCANNER)} --assignee-principal-type ServicePrincipal --role ${q(permission)} --scope ${q(scope)}`,
              }
            : { text: `Grant the scanner's identity read access for ${first.operation}.` },
      });
    });
  },
});

function forbidden(cluster: AksCluster, error: CollectionError, report: Report): Finding {
  const group = error.group ?? "";
  const qualified = group === "" ? error.resource : `${error.resource}.${group}`;
  const permission = `${error.verb} ${qualified}`;
  const where = error.namespace ? ` in namespace ${error.namespace}` : " cluster-wide";
  const roleName = `wiscan-${error.verb}-${qualified}`.replace(/[^a-z0-9.-]+/gi, "-").toLowerCase();
  const binding = error.namespace
    ? `create rolebinding ${q(roleName)} --namespace ${q(error.namespace)} --clusterrole ${q(roleName)} --user ${arg(SCANNER)}`
    : `create clusterrolebinding ${q(roleName)} --clusterrole ${q(roleName)} --user ${arg(SCANNER)}`;
  const dataAction = `Microsoft.ContainerService/managedClusters/${group === "" ? "" : `${group}/`}${error.resource}/${["get", "list", "watch"].includes(error.verb) ? "read" : "write"}`;
  return report({
    severity: "medium",
    title: `The scanner may not ${permission}${where}`,
    resource: { ...objectResource(cluster, "Permission", error.namespace, permission) },
    evidence: evidence({
      verb: error.verb,
      resource: error.resource,
      apiGroup: group === "" ? "core" : group,
      namespace: error.namespace,
      azureDataAction: cluster.aad?.azureRbac ? dataAction : undefined,
      httpStatus: error.httpStatus,
    }),
    remediation: {
      text: cluster.aad?.azureRbac
        ? `The cluster uses Azure RBAC: give the scanner a role with the data action ${dataAction}${where}, or bind it with Kubernetes RBAC as below.`
        : `Allow the scanner to ${permission}${where} with Kubernetes RBAC.`,
      command: [kubectl(cluster, `create clusterrole ${q(roleName)} --verb ${q(error.verb)} --resource ${q(qualified)}`), kubectl(cluster, binding)].join("\n"),
    },
  });
}

function unauthorized(cluster: AksCluster, error: CollectionError, report: Report): Finding {
  return report({
    severity: "medium",
    title: "The cluster's API server rejected the scanner's credential",
    resource: { ...clusterResource(cluster), kind: "Permission", name: "authenticate" },
    evidence: evidence({ httpStatus: error.httpStatus ?? 401, localAccountsDisabled: cluster.localAccountsDisabled, entraIntegration: cluster.aad?.managed ?? false }),
    remediation: {
      text: "Let the scanner's identity fetch cluster credentials (Azure Kubernetes Service Cluster User Role) and, on Entra-integrated clusters, sign in with its Entra token.",
      command: `az role assignment create --assignee-object-id ${arg(SCANNER)} --assignee-principal-type ServicePrincipal --role 'Azure Kubernetes Service Cluster User Role' --scope ${q(cluster.id)}`,
    },
  });
}

/** An ARM scope to grant on, from what the inventory was reading. */
function azureScope(resource: string | undefined): string | undefined {
  if (resource === undefined) return undefined;
  if (resource.startsWith("/subscriptions/") || resource.startsWith("/providers/")) return resource;
  return isGuid(resource) ? `/subscriptions/${resource}` : undefined;
}
