/**
 * App registrations that workloads name by client id instead of a managed
 * identity, with their federated credentials and service principal, from
 * Microsoft Graph.
 */
import pLimit from "p-limit";
import type { GraphClient } from "../azure/index.js";
import { inventoryError } from "./errors.js";
import { fromGraphCredential } from "./credential-trust.js";
import type { AppRegistration, FederatedCredential, InventoryError } from "./model.js";

/** Graph accepts at most 15 values in an `in` filter. */
const IDS_PER_FILTER = 15;
const GRAPH_PERMISSION = "Application.Read.All (Microsoft Graph application permission)";

export interface ApplicationsResult {
  applications: AppRegistration[];
  errors: InventoryError[];
}

interface GraphApplication {
  id: string;
  appId: string;
  displayName: string;
  signInAudience?: string | null;
}

interface GraphServicePrincipal {
  id: string;
  appId: string;
  displayName?: string;
  /** The tenant where the application is registered (servicePrincipal resource type, v1.0). */
  appOwnerOrganizationId?: string | null;
  signInAudience?: string | null;
}

/**
 * Looks up the apps with these client ids (appId). Applications and service
 * principals are looked up independently: an app registered in another tenant
 * (a multi-tenant app provisioned here) has a service principal in this
 * tenant and no application object, and still gets tokens here. Ids that name
 * neither are simply absent from the result.
 *
 * @example
 * const { applications, errors } = await collectApplications(clients.graph, ["b16b00b5-..."], { tenantId });
 */
export async function collectApplications(
  graph: GraphClient,
  clientIds: readonly string[],
  options: { tenantId: string; concurrency?: number },
): Promise<ApplicationsResult> {
  const errors: InventoryError[] = [];
  const unique = [...new Set(clientIds.map((id) => id.toLowerCase()))].filter((id) => /^[0-9a-f-]{36}$/.test(id));
  const groups: string[][] = [];
  for (let i = 0; i < unique.length; i += IDS_PER_FILTER) groups.push(unique.slice(i, i + IDS_PER_FILTER));

  const found: GraphApplication[] = [];
  const servicePrincipals = new Map<string, GraphServicePrincipal>();
  for (const group of groups) {
    const filter = encodeURIComponent(`appId in (${group.map((id) => `'${id}'`).join(",")})`);
    try {
      for await (const app of graph.list<GraphApplication>(`/v1.0/applications?$filter=${filter}&$select=id,appId,displayName,signInAudience`)) {
        found.push(app);
      }
    } catch (error) {
      // Without the applications, a service principal cannot be told foreign from local: the whole group is unresolved.
      errors.push(inventoryError(error, "applications", group.join(","), GRAPH_PERMISSION));
      continue;
    }
    try {
      const select = "id,appId,displayName,appOwnerOrganizationId,signInAudience";
      for await (const sp of graph.list<GraphServicePrincipal>(`/v1.0/servicePrincipals?$filter=${filter}&$select=${select}`)) {
        servicePrincipals.set(sp.appId.toLowerCase(), sp);
      }
    } catch (error) {
      errors.push(inventoryError(error, "servicePrincipals", group.join(","), GRAPH_PERMISSION));
    }
  }

  const limit = pLimit(options.concurrency ?? 8);
  const local = await Promise.all(
    found.map((app) =>
      limit(async (): Promise<AppRegistration> => {
        const federatedCredentials = await applicationCredentials(graph, app, errors);
        const servicePrincipal = servicePrincipals.get(app.appId.toLowerCase());
        return {
          objectId: app.id,
          appId: app.appId,
          displayName: app.displayName,
          tenantId: options.tenantId,
          homeTenantId: options.tenantId,
          ...(typeof app.signInAudience === "string" && { signInAudience: app.signInAudience }),
          ...(servicePrincipal !== undefined && { servicePrincipalId: servicePrincipal.id }),
          federatedCredentials,
        };
      }),
    ),
  );
  const registeredHere = new Set(found.map((app) => app.appId.toLowerCase()));
  const foreign = [...servicePrincipals.values()]
    .filter((sp) => !registeredHere.has(sp.appId.toLowerCase()))
    .map((sp): AppRegistration => ({
      appId: sp.appId,
      displayName: sp.displayName ?? sp.appId,
      tenantId: options.tenantId,
      // Unknown owner: treat as elsewhere, never as "registered here" (whose credentials we would claim to have read).
      homeTenantId: typeof sp.appOwnerOrganizationId === "string" && sp.appOwnerOrganizationId !== "" ? sp.appOwnerOrganizationId : "",
      ...(typeof sp.signInAudience === "string" && { signInAudience: sp.signInAudience }),
      servicePrincipalId: sp.id,
      federatedCredentials: [],
    }));
  return { applications: [...local, ...foreign], errors };
}

/**
 * An application's federated credentials from v1.0. v1.0 has no
 * claimsMatchingExpression and shows a flexible credential as `subject: null`;
 * for such an app the credentials are read again from beta, which has the
 * expression. A failed beta read leaves them flexible with no expression: that
 * changes no verdict (flexible credentials admit no AKS token today), so it is
 * no inventory error.
 */
async function applicationCredentials(graph: GraphClient, app: GraphApplication, errors: InventoryError[]): Promise<FederatedCredential[]> {
  const credentials: FederatedCredential[] = [];
  try {
    for await (const raw of graph.list<Record<string, unknown>>(`/v1.0/applications/${app.id}/federatedIdentityCredentials`)) {
      credentials.push(fromGraphCredential(raw));
    }
  } catch (error) {
    errors.push(inventoryError(error, "applicationFederatedIdentityCredentials", app.appId, GRAPH_PERMISSION));
    return credentials;
  }
  if (!credentials.some((c) => c.trust.kind === "flexible" && c.trust.expression === undefined)) return credentials;
  try {
    const expressions = new Map<string, FederatedCredential>();
    for await (const raw of graph.list<Record<string, unknown>>(`/beta/applications/${app.id}/federatedIdentityCredentials`)) {
      const credential = fromGraphCredential(raw);
      expressions.set(credential.id ?? credential.name, credential);
    }
    return credentials.map((c) => {
      const beta = expressions.get(c.id ?? c.name);
      return c.trust.kind === "flexible" && beta?.trust.kind === "flexible" && beta.trust.expression !== undefined ? { ...c, trust: beta.trust } : c;
    });
  } catch {
    return credentials;
  }
}
