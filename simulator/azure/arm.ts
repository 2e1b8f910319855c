/**
 * The ARM routes the scanner reads: subscriptions, managed clusters (list,
 * get, listClusterUserCredential, runCommand and its commandResults, identity
 * bindings), user-assigned identities and their
 * federated identity credentials, role assignments. Paths match
 * case-insensitively as ARM's do; an unknown route or api-version gets ARM's
 * error shape so that a client speaking another dialect fails loudly.
 */
import type { ServerResponse } from "node:http";
import { stringify } from "yaml";
import { sendJson } from "../http.js";
import type { ArmObject } from "../fleet/model.js";
import { AKS_SERVER_APP_ID, type AzureContext } from "./context.js";
import { sendArmError } from "./arm-errors.js";
import { handleCommandResult, handleRunCommand } from "./run-command.js";
import { IDENTITY_BINDINGS_API_VERSIONS, identityBindingsOf, sendIdentityBinding, sendParentClusterNotFound } from "./identity-bindings.js";

/**
 * The first Microsoft.ManagedIdentity api-version with claimsMatchingExpression
 * ("Introduced in 2025-01-31-preview", azure-rest-api-specs
 * specification/msi/.../preview/2025-01-31-preview, example
 * FlexibleFederatedIdentityCredentialGet.json); the stable versions' schema
 * (2024-11-30 and earlier) has no such property, so ARM leaves it out there.
 */
export const FLEXIBLE_CREDENTIALS_API_VERSION = "2025-01-31-preview";

/** api-versions accepted per resource provider; the first is what the pinned SDK sends. */
export const ARM_API_VERSIONS = {
  /** @azure/arm-containerservice 25.3.0 */
  containerService: ["2026-04-01", "2025-10-01", "2025-07-01", "2024-10-01"],
  /** @azure/arm-msi 2.2.0; 2025-01-31-preview adds claimsMatchingExpression (flexible credentials) */
  managedIdentity: ["2024-11-30", "2023-01-31", "2023-07-31-preview", FLEXIBLE_CREDENTIALS_API_VERSION],
  authorization: ["2022-04-01", "2020-10-01-preview"],
  subscriptions: ["2022-12-01", "2021-01-01", "2020-01-01"],
} as const;

type Provider = keyof typeof ARM_API_VERSIONS;

interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  provider: Provider;
  /** When the resource type knows fewer api-versions than its provider. */
  apiVersions?: readonly string[];
  resourceType: string;
  handle(ctx: AzureContext, match: RegExpExecArray, url: URL, res: ServerResponse, body: string): void;
}

const SUB = "/subscriptions/([^/]+)";
const RG = "/resourcegroups/([^/]+)";
const AKS = "/providers/microsoft\\.containerservice/managedclusters";
const MSI = "/providers/microsoft\\.managedidentity/userassignedidentities";

const ROUTES: Route[] = [
  {
    method: "GET",
    pattern: /^\/subscriptions$/i,
    provider: "subscriptions",
    resourceType: "subscriptions",
    handle: (ctx, _m, url, res) =>
      sendPage(ctx, url, res, ctx.fleet.azure.subscriptions.map((s) => ({
        id: `/subscriptions/${s.subscriptionId}`,
        subscriptionId: s.subscriptionId,
        tenantId: ctx.fleet.azure.tenantId,
        displayName: s.displayName,
        state: "Enabled",
      }))),
  },
  {
    method: "GET",
    pattern: new RegExp(`^${SUB}${AKS}$`, "i"),
    provider: "containerService",
    resourceType: "managedClusters",
    handle: (ctx, m, url, res) => {
      if (!knownSubscription(ctx, m[1], res)) return;
      sendPage(ctx, url, res, inScope(ctx.fleet.azure.managedClusters, m[1]).map(clusterResource));
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${SUB}${RG}${AKS}$`, "i"),
    provider: "containerService",
    resourceType: "managedClusters",
    handle: (ctx, m, url, res) => {
      if (!knownSubscription(ctx, m[1], res)) return;
      sendPage(ctx, url, res, inScope(ctx.fleet.azure.managedClusters, m[1], m[2]).map(clusterResource));
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${SUB}${RG}${AKS}/([^/]+)$`, "i"),
    provider: "containerService",
    resourceType: "managedClusters",
    handle: (ctx, m, _url, res) => {
      const cluster = findCluster(ctx, m, res);
      if (cluster) sendJson(res, 200, clusterResource(cluster));
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^${SUB}${RG}${AKS}/([^/]+)/listclusterusercredential$`, "i"),
    provider: "containerService",
    resourceType: "managedClusters",
    handle: (ctx, m, _url, res) => {
      const cluster = findCluster(ctx, m, res);
      if (!cluster) return;
      const kubeconfig = clusterUserKubeconfig(ctx, cluster);
      sendJson(res, 200, { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(kubeconfig).toString("base64") }] });
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^${SUB}${RG}${AKS}/([^/]+)/runcommand$`, "i"),
    provider: "containerService",
    resourceType: "managedClusters",
    handle: (ctx, m, url, res, body) => {
      const cluster = findCluster(ctx, m, res);
      if (cluster) handleRunCommand(ctx, cluster, url, body, res);
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${SUB}${RG}${AKS}/([^/]+)/commandresults/([^/]+)$`, "i"),
    provider: "containerService",
    resourceType: "managedClusters",
    handle: (ctx, m, _url, res) => {
      const cluster = findCluster(ctx, m, res);
      if (cluster) handleCommandResult(ctx, cluster, m[4] ?? "", res);
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${SUB}${RG}${AKS}/([^/]+)/identitybindings$`, "i"),
    provider: "containerService",
    apiVersions: IDENTITY_BINDINGS_API_VERSIONS,
    resourceType: "managedClusters/identityBindings",
    handle: (ctx, m, url, res) => {
      const cluster = findParentCluster(ctx, m, res);
      if (cluster) sendPage(ctx, url, res, identityBindingsOf(ctx, cluster));
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${SUB}${RG}${AKS}/([^/]+)/identitybindings/([^/]+)$`, "i"),
    provider: "containerService",
    apiVersions: IDENTITY_BINDINGS_API_VERSIONS,
    resourceType: "managedClusters/identityBindings",
    handle: (ctx, m, _url, res) => {
      const cluster = findParentCluster(ctx, m, res);
      const binding = cluster && sendIdentityBinding(ctx, cluster, m[4] ?? "", res);
      if (binding) sendJson(res, 200, binding);
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${SUB}${MSI}$`, "i"),
    provider: "managedIdentity",
    resourceType: "userAssignedIdentities",
    handle: (ctx, m, url, res) => {
      if (!knownSubscription(ctx, m[1], res)) return;
      sendPage(ctx, url, res, inScope(ctx.fleet.azure.userAssignedIdentities, m[1]).map(identityResource));
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${SUB}${RG}${MSI}$`, "i"),
    provider: "managedIdentity",
    resourceType: "userAssignedIdentities",
    handle: (ctx, m, url, res) => {
      if (!knownSubscription(ctx, m[1], res)) return;
      sendPage(ctx, url, res, inScope(ctx.fleet.azure.userAssignedIdentities, m[1], m[2]).map(identityResource));
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${SUB}${RG}${MSI}/([^/]+)$`, "i"),
    provider: "managedIdentity",
    resourceType: "userAssignedIdentities",
    handle: (ctx, m, _url, res) => {
      const identity = findIdentity(ctx, m, res);
      if (identity) sendJson(res, 200, identityResource(identity));
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${SUB}${RG}${MSI}/([^/]+)/federatedidentitycredentials$`, "i"),
    provider: "managedIdentity",
    resourceType: "userAssignedIdentities/federatedIdentityCredentials",
    handle: (ctx, m, url, res) => {
      const identity = findIdentity(ctx, m, res);
      if (identity) sendPage(ctx, url, res, ficsOf(ctx, identity).map((fic) => ficResource(fic, url)));
    },
  },
  {
    method: "GET",
    pattern: new RegExp(`^${SUB}${RG}${MSI}/([^/]+)/federatedidentitycredentials/([^/]+)$`, "i"),
    provider: "managedIdentity",
    resourceType: "userAssignedIdentities/federatedIdentityCredentials",
    handle: (ctx, m, url, res) => {
      const identity = findIdentity(ctx, m, res);
      if (!identity) return;
      const fic = ficsOf(ctx, identity).find((f) => f.name.toLowerCase() === (m[4] ?? "").toLowerCase());
      if (fic) sendJson(res, 200, ficResource(fic, url));
      else notFound(res, "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials", `${identity.name}/${m[4]}`, m[2] ?? "");
    },
  },
  {
    method: "GET",
    pattern: /^(.*)\/providers\/microsoft\.authorization\/roleassignments$/i,
    provider: "authorization",
    resourceType: "roleAssignments",
    handle: (ctx, m, url, res) => {
      const scope = (m[1] ?? "").toLowerCase() || "/";
      const filter = url.searchParams.get("$filter") ?? "";
      const principal = /principalId\s+eq\s+'([^']+)'/i.exec(filter)?.[1] ?? /assignedTo\('([^']+)'\)/i.exec(filter)?.[1];
      const atScope = /atScope\(\)/i.test(filter);
      const assignments = ctx.fleet.azure.roleAssignments.filter((a) => {
        const assignmentScope = String(a.properties?.scope ?? "").toLowerCase();
        const related = atScope
          ? scope.startsWith(assignmentScope)
          : scope.startsWith(assignmentScope) || assignmentScope.startsWith(scope === "/" ? "" : scope);
        return related && (principal === undefined || String(a.properties?.principalId ?? "").toLowerCase() === principal.toLowerCase());
      });
      sendPage(ctx, url, res, assignments.map((a) => ({ type: "Microsoft.Authorization/roleAssignments", ...a })));
    },
  },
];

/** Answers an ARM request: a route's response, or ARM's error for an unknown route, method or api-version. */
export function handleArm(ctx: AzureContext, method: string, url: URL, res: ServerResponse, body = ""): void {
  // Clients percent-encode what a resource name may hold beyond ASCII letters (a resource group "rg-(prod).ünï"); ARM matches the decoded names.
  const path = url.pathname.split("/").map(decodeSegment).join("/").replace(/\/+$/, "");
  let methodMismatch = false;
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (route.method !== method) {
      methodMismatch = true;
      continue;
    }
    const apiVersion = url.searchParams.get("api-version");
    const supported: readonly string[] = route.apiVersions ?? ARM_API_VERSIONS[route.provider];
    if (!apiVersion) {
      sendArmError(res, 400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
      return;
    }
    if (!supported.includes(apiVersion)) {
      sendArmError(
        res,
        400,
        "NoRegisteredProviderFound",
        `No registered resource provider found for location 'global' and API version '${apiVersion}' for type '${route.resourceType}'. The supported api-versions are '${supported.join(", ")}'.`,
      );
      return;
    }
    route.handle(ctx, match, url, res, body);
    return;
  }
  if (methodMismatch) {
    sendArmError(res, 405, "MethodNotAllowed", `The requested method '${method}' is not allowed for '${path}'.`);
    return;
  }
  sendArmError(res, 404, "InvalidResourceType", `The fleet simulator serves no ARM route for '${method} ${path}'.`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** One page of a list, with an absolute nextLink as ARM returns it. */
function sendPage(ctx: AzureContext, url: URL, res: ServerResponse, items: unknown[]): void {
  const skip = Number(url.searchParams.get("$skiptoken") ?? "0") || 0;
  const page = items.slice(skip, skip + ctx.armPageSize);
  const body: Record<string, unknown> = { value: page };
  if (skip + page.length < items.length) {
    const next = new URL(url.pathname + url.search, ctx.endpoint);
    next.searchParams.set("$skiptoken", String(skip + page.length));
    body.nextLink = next.toString();
  }
  sendJson(res, 200, body);
}

function knownSubscription(ctx: AzureContext, subscriptionId: string | undefined, res: ServerResponse): boolean {
  const known = ctx.fleet.azure.subscriptions.some((s) => s.subscriptionId.toLowerCase() === (subscriptionId ?? "").toLowerCase());
  if (!known) sendArmError(res, 404, "SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`);
  return known;
}

function idParts(id: string): { subscriptionId: string; resourceGroup: string } {
  const match = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)/i.exec(id);
  return { subscriptionId: (match?.[1] ?? "").toLowerCase(), resourceGroup: (match?.[2] ?? "").toLowerCase() };
}

function inScope(resources: ArmObject[], subscriptionId: string | undefined, resourceGroup?: string): ArmObject[] {
  return resources.filter((r) => {
    const parts = idParts(r.id);
    return parts.subscriptionId === (subscriptionId ?? "").toLowerCase() && (resourceGroup === undefined || parts.resourceGroup === resourceGroup.toLowerCase());
  });
}

function findIn(ctx: AzureContext, resources: ArmObject[], match: RegExpExecArray, res: ServerResponse, type: string): ArmObject | undefined {
  if (!knownSubscription(ctx, match[1], res)) return undefined;
  const found = indexOf(resources).get(resourceKey(match[1] ?? "", match[2] ?? "", match[3] ?? ""));
  if (!found) notFound(res, type, match[3] ?? "", match[2] ?? "");
  return found;
}

/**
 * Resources by subscription, resource group and name, built once per list:
 * a linear search per request made the simulator, not the scanner, the
 * bottleneck of a 5,000-cluster benchmark (10,000 identity reads x 10,000
 * identities). Rebuilt when the list changes length.
 */
const indexes = new WeakMap<ArmObject[], { size: number; byKey: Map<string, ArmObject> }>();

function indexOf(resources: ArmObject[]): Map<string, ArmObject> {
  let index = indexes.get(resources);
  if (!index || index.size !== resources.length) {
    const byKey = new Map<string, ArmObject>();
    for (const r of resources) {
      const parts = idParts(r.id);
      const key = resourceKey(parts.subscriptionId, parts.resourceGroup, r.name);
      if (!byKey.has(key)) byKey.set(key, r);
    }
    index = { size: resources.length, byKey };
    indexes.set(resources, index);
  }
  return index.byKey;
}

const resourceKey = (subscriptionId: string, resourceGroup: string, name: string) => `${subscriptionId}|${resourceGroup}|${name}`.toLowerCase();

function findCluster(ctx: AzureContext, match: RegExpExecArray, res: ServerResponse): ArmObject | undefined {
  return findIn(ctx, ctx.fleet.azure.managedClusters, match, res, "Microsoft.ContainerService/managedClusters");
}

/** A managed cluster as the parent of a child resource: ARM's ParentResourceNotFound when it does not exist. */
function findParentCluster(ctx: AzureContext, match: RegExpExecArray, res: ServerResponse): ArmObject | undefined {
  if (!knownSubscription(ctx, match[1], res)) return undefined;
  const found = indexOf(ctx.fleet.azure.managedClusters).get(resourceKey(match[1] ?? "", match[2] ?? "", match[3] ?? ""));
  if (!found) sendParentClusterNotFound(res, match[3] ?? "");
  return found;
}

function findIdentity(ctx: AzureContext, match: RegExpExecArray, res: ServerResponse): ArmObject | undefined {
  return findIn(ctx, ctx.fleet.azure.userAssignedIdentities, match, res, "Microsoft.ManagedIdentity/userAssignedIdentities");
}

function notFound(res: ServerResponse, type: string, name: string, resourceGroup: string): void {
  sendArmError(
    res,
    404,
    "ResourceNotFound",
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

function ficsOf(ctx: AzureContext, identity: ArmObject): ArmObject[] {
  const fics = ctx.fleet.azure.federatedIdentityCredentials;
  return fics[identity.id] ?? Object.entries(fics).find(([key]) => key.toLowerCase() === identity.id.toLowerCase())?.[1] ?? [];
}

function clusterResource(cluster: ArmObject): ArmObject {
  return { type: "Microsoft.ContainerService/ManagedClusters", ...cluster };
}

function identityResource(identity: ArmObject): ArmObject {
  return { type: "Microsoft.ManagedIdentity/userAssignedIdentities", ...identity };
}

/**
 * A federated credential in the requested api-version's schema: a flexible
 * one (claimsMatchingExpression, no subject) shows its expression only from
 * 2025-01-31-preview on; older versions know no such property and return the
 * credential without subject and without expression.
 */
function ficResource(fic: ArmObject, url: URL): ArmObject {
  const resource: ArmObject = { type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials", ...fic };
  if (url.searchParams.get("api-version") === FLEXIBLE_CREDENTIALS_API_VERSION || fic.properties === undefined) return resource;
  const { claimsMatchingExpression: _expression, ...properties } = fic.properties;
  return { ...resource, properties };
}

/**
 * The cluster-user kubeconfig as AKS returns it: the server (here the
 * simulator's own address) with its CA, and either a static token (clusters
 * without Entra integration) or the kubelogin exec user AKS hands out for
 * Entra-integrated clusters.
 */
export function clusterUserKubeconfig(ctx: AzureContext, cluster: ArmObject): string {
  const { resourceGroup } = idParts(cluster.id);
  const userName = `clusterUser_${resourceGroup}_${cluster.name}`;
  const aad = cluster.properties?.aadProfile;
  const user =
    aad && typeof aad === "object"
      ? {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            args: [
              "get-token",
              "--environment",
              "AzurePublicCloud",
              "--server-id",
              AKS_SERVER_APP_ID,
              "--client-id",
              "80faf920-1908-4b52-b5ef-a8e7bedfc67a",
              "--tenant-id",
              ctx.fleet.azure.tenantId,
              "--login",
              "devicecode",
            ],
            command: "kubelogin",
            env: null,
            installHint: "\nkubelogin is not installed which is required to connect to AAD enabled cluster.\n\nTo learn more, please go to https://aka.ms/aks/kubelogin\n",
            interactiveMode: "IfAvailable",
            provideClusterInfo: false,
          },
        }
      : {
          // As AKS gives it with local accounts: the clusterUser client certificate and a static token.
          "client-certificate-data": Buffer.from(ctx.kubernetesClientCertificate.certPem).toString("base64"),
          "client-key-data": Buffer.from(ctx.kubernetesClientCertificate.keyPem).toString("base64"),
          token: ctx.kubernetesTokenFor(cluster.name),
        };
  return stringify({
    apiVersion: "v1",
    clusters: [
      {
        cluster: { "certificate-authority-data": Buffer.from(ctx.caPem).toString("base64"), server: ctx.kubernetesServerFor(cluster.name) },
        name: cluster.name,
      },
    ],
    contexts: [{ context: { cluster: cluster.name, user: userName }, name: cluster.name }],
    "current-context": cluster.name,
    kind: "Config",
    preferences: {},
    users: [{ name: userName, user }],
  });
}
