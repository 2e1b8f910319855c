import type { CollectionError } from "../../cluster/model.js";
import type { Finding } from "../../findings/index.js";
import type { AksCluster, InventoryError } from "../../inventory/model.js";
import { arg, kubectl } from "../commands.js";
import { SCANNER_PLACEHOLDER } from "../placeholders.js";
import { azureDataActionFor, splitResource } from "../aks-authorization.js";
import { clusterResource, defineCheck, evidence, objectResource, type Report } from "../define.js";
import { DOCS, permissionDocsUrl } from "../links.js";
import { shellQuote as q } from "../shell-quote.js";
import { isGuid } from "../workload-identity.js";

export const scanForbidden = defineCheck({
  id: "scan.forbidden",
  reads: [],
  title: "The scanner lacks a permission",
  severityRule: "medium",
  risk: "Checks that need the refused read stay silent: problems there go unreported until the permission is granted.",
  remediation: "Grant the scanner's identity exactly the permission the finding names (read-only; see infra/ for the scanner's roles).",
  // Each finding links to its permission's line of docs/permissions.md.
  docsUrl: DOCS.permissions,
  controls: [],
  evaluateCluster(view, snapshot, report) {
    const { cluster } = snapshot;
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const error of snapshot.errors) {
      if (error.kind === "unauthorized") {
        if (seen.has("unauthorized")) continue;
        seen.add("unauthorized");
        findings.push(unauthorized(cluster, view.inventory.tenantId, error, report));
      } else if (error.kind === "forbidden") {
        const key = [error.verb, error.group ?? "", error.resource, error.namespace ?? ""].join("|");
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push(isArmOperation(error.resource) ? armForbidden(cluster, error, report) : kubernetesForbidden(cluster, error, report));
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
      const graphPermission = permission !== undefined && /^[A-Za-z]+\.[A-Za-z.]+$/.test(permission);
      const role = permission !== undefined && !graphPermission ? roleIn(permission) : undefined;
      const scope = commonScope(errors.map((e) => azureScope(e.resource)));
      return report({
        severity: "medium",
        title: permission ? `The scanner lacks ${permission} for ${first.operation}` : `The scanner may not read ${first.operation}`,
        resource: { kind: "Permission", name: permission ?? first.operation },
        docsUrl: permissionDocsUrl("inventory", first.operation),
        evidence: evidence({ operation: first.operation, permission, refusals: errors.length, exampleResource: first.resource, message: first.message.slice(0, 300) }),
        remediation: graphPermission
          ? { text: `Grant the scanner's identity the Microsoft Graph application permission ${permission} and have an administrator consent to it.` }
          : role !== undefined && scope !== undefined
            ? {
                text: `Assign ${role} to the scanner's identity at the narrowest scope that covers every refused read (${errors.length}).`,
                command: `az role assignment create --assignee-object-id ${arg(SCANNER_PLACEHOLDER)} --assignee-principal-type ServicePrincipal --role ${q(role)} --scope ${q(scope)}`,
              }
            : { text: `Grant the scanner's identity ${permission ?? "read access"} for ${first.operation}.` },
      });
    });
  },
});

/** ARM operations are named by their provider ("Microsoft.ContainerService/..."); Kubernetes resources never are. */
function isArmOperation(resource: string): boolean {
  return resource.startsWith("Microsoft.");
}

function kubernetesForbidden(cluster: AksCluster, error: CollectionError, report: Report): Finding {
  const group = error.group ?? "";
  const { resource, subresource } = splitResource(error.resource);
  // kubectl's --resource form: <resource>.<group>/<subresource>.
  const qualified = `${group === "" ? resource : `${resource}.${group}`}${subresource !== undefined ? `/${subresource}` : ""}`;
  const permission = `${error.verb} ${qualified}`;
  const where = error.namespace ? ` in namespace ${error.namespace}` : " cluster-wide";
  const roleName = `wiscan-${error.verb}-${qualified}`.replace(/[^a-z0-9.-]+/gi, "-").toLowerCase();
  const binding = error.namespace
    ? `create rolebinding ${q(roleName)} --namespace ${q(error.namespace)} --clusterrole ${q(roleName)} --user ${arg(SCANNER_PLACEHOLDER)}`
    : `create clusterrolebinding ${q(roleName)} --clusterrole ${q(roleName)} --user ${arg(SCANNER_PLACEHOLDER)}`;
  // Subresources are authorized as their parent under Azure RBAC: pods/log needs pods/read.
  const dataAction = cluster.aad?.azureRbac ? azureDataActionFor({ verb: error.verb, group, resource, ...(subresource !== undefined && { subresource }) }) : undefined;
  return report({
    severity: "medium",
    title: `The scanner may not ${permission}${where}`,
    resource: objectResource(cluster, "Permission", error.namespace, permission),
    docsUrl: permissionDocsUrl("kubernetes", resource, ...(subresource !== undefined ? [subresource] : []), error.verb),
    evidence: evidence({
      verb: error.verb,
      resource: error.resource,
      apiGroup: group === "" ? "core" : group,
      namespace: error.namespace,
      azureDataAction: dataAction,
      httpStatus: error.httpStatus,
    }),
    remediation: {
      text:
        dataAction !== undefined
          ? `The cluster uses Azure RBAC: give the scanner a role with the data action ${dataAction}${where}, or bind it with Kubernetes RBAC as below.`
          : `Allow the scanner to ${permission}${where} with Kubernetes RBAC.`,
      command: [kubectl(cluster, `create clusterrole ${q(roleName)} --verb ${q(error.verb)} --resource ${q(qualified)}`), kubectl(cluster, binding)].join("\n"),
    },
  });
}

/** Built-in or wiscan roles that grant an ARM action on a cluster (docs/permissions.md, "Reaching a cluster"). */
const ROLE_FOR_ARM_ACTION: Readonly<Record<string, string>> = {
  "listclusterusercredential/action": "Azure Kubernetes Service Cluster User Role",
  "runcommand/action": "wiscan AKS Run Command",
  "commandresults/read": "wiscan AKS Run Command",
  // Reader grants */read; the read happens only where some pod opts in to identity binding.
  "identitybindings/read": "Reader",
};

function armForbidden(cluster: AksCluster, error: CollectionError, report: Report): Finding {
  const operation = error.resource.split("/").pop() ?? error.resource;
  const permission = `${error.resource}/${error.verb}`;
  const role = ROLE_FOR_ARM_ACTION[`${operation}/${error.verb}`.toLowerCase()];
  return report({
    severity: "medium",
    title: `The scanner may not call ${operation} on the cluster`,
    resource: { ...clusterResource(cluster), kind: "Permission", name: permission },
    docsUrl: permissionDocsUrl("arm", operation, error.verb),
    evidence: evidence({ permission, role, httpStatus: error.httpStatus, message: error.message.slice(0, 300) }),
    remediation:
      role !== undefined
        ? {
            text: `Assign ${role} (which grants ${permission}) to the scanner's identity on the cluster.`,
            command: `az role assignment create --assignee-object-id ${arg(SCANNER_PLACEHOLDER)} --assignee-principal-type ServicePrincipal --role ${q(role)} --scope ${q(cluster.id)}`,
          }
        : { text: `Grant the scanner's identity ${permission} on the cluster.` },
  });
}

function unauthorized(cluster: AksCluster, scannerTenant: string, error: CollectionError, report: Report): Finding {
  const clusterTenant = cluster.aad?.tenantId;
  const otherTenant = clusterTenant !== undefined && scannerTenant !== "" && clusterTenant.toLowerCase() !== scannerTenant.toLowerCase();
  return report({
    severity: "medium",
    title: otherTenant ? "The cluster signs users in with another tenant, and refused the scanner's credential" : "The cluster's API server rejected the scanner's credential",
    resource: { ...clusterResource(cluster), kind: "Permission", name: "authenticate" },
    docsUrl: permissionDocsUrl("arm", "listClusterUserCredential", "action"),
    evidence: evidence({
      httpStatus: error.httpStatus ?? 401,
      localAccountsDisabled: cluster.localAccountsDisabled,
      entraIntegration: cluster.aad?.managed ?? false,
      clusterTenant,
      scannerTenant: otherTenant ? scannerTenant : undefined,
    }),
    // A role cannot fix a token from the wrong tenant: the scanner needs an identity that Entra signs in there.
    remediation: otherTenant
      ? {
          text:
            `The API server accepts Entra tokens from tenant ${clusterTenant} only; the scanner asks for one there, and its identity was refused. ` +
            "A managed identity exists in one tenant only: scan this cluster with a multi-tenant app registration consented in that tenant (or a scanner deployed there), then grant it the cluster roles.",
        }
      : {
          text: "Let the scanner's identity fetch cluster credentials (Azure Kubernetes Service Cluster User Role) and, on Entra-integrated clusters, sign in with its Entra token.",
          command: `az role assignment create --assignee-object-id ${arg(SCANNER_PLACEHOLDER)} --assignee-principal-type ServicePrincipal --role 'Azure Kubernetes Service Cluster User Role' --scope ${q(cluster.id)}`,
        },
  });
}

/** An ARM scope to grant on, from what the inventory was reading. */
function azureScope(resource: string | undefined): string | undefined {
  if (resource === undefined) return undefined;
  if (resource.startsWith("/subscriptions/") || resource.startsWith("/providers/")) return resource;
  return isGuid(resource) ? `/subscriptions/${resource}` : undefined;
}

/**
 * The narrowest scope covering every refused read: the resource itself when
 * there is one, else their resource group, else their subscription; undefined
 * when they span subscriptions or one of them has no scope (then the text says what to grant).
 */
function commonScope(scopes: ReadonlyArray<string | undefined>): string | undefined {
  const [first, ...rest] = scopes;
  if (first === undefined || rest.some((s) => s === undefined)) return undefined;
  const candidates = [first, resourceGroupOf(first), subscriptionOf(first)];
  return candidates.find((c) => c !== undefined && scopes.every((s) => s !== undefined && within(s, c)));
}

function within(scope: string, parent: string): boolean {
  const a = scope.toLowerCase();
  const b = parent.toLowerCase();
  return a === b || a.startsWith(`${b}/`);
}

function resourceGroupOf(scope: string): string | undefined {
  return /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+/i.exec(scope)?.[0];
}

function subscriptionOf(scope: string): string | undefined {
  return /^\/subscriptions\/[^/]+/i.exec(scope)?.[0];
}

/**
 * The Azure role a permission text names: the whole text when it is a role
 * name ("Managed Identity Operator"), or its head when the inventory wrote
 * "<role> on <what>" ("Reader on the identity (...)"). Undefined otherwise:
 * never a command with a role name Azure does not know.
 */
function roleIn(permission: string): string | undefined {
  const head = permission.split(" on ")[0]?.trim() ?? "";
  return /^[A-Za-z][A-Za-z ]*[A-Za-z]$/.test(head) ? head : undefined;
}
