/**
 * App registrations that workloads name by client id instead of a managed
 * identity, with their federated credentials and service principal, from
 * Microsoft Graph.
 */
import pLimit from "p-limit";
import type { GraphClient } from "../azure/index.js";
import { inventoryError } from "./errors.js";
import type { AppRegistration, FederatedCredential, InventoryError } from "./model.js";

/** Graph accepts at most 15 values in an `in` filter. */
const IDS_PER_FILTER = 15;
const GRAPH_PERMISSION = "Application.Read.All (Microsoft Graph application permission)";

export interface ApplicationsResult {
  applications: AppRegistration[];
  errors: InventoryError[];
}

/**
 * Looks up the app registrations with these client ids (appId). Ids that
 * name no app registration are simply absent from the result.
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

  const found: Array<{ id: string; appId: string; displayName: string }> = [];
  const servicePrincipals = new Map<string, string>();
  for (const group of groups) {
    const filter = encodeURIComponent(`appId in (${group.map((id) => `'${id}'`).join(",")})`);
    try {
      for await (const app of graph.list<{ id: string; appId: string; displayName: string }>(`/v1.0/applications?$filter=${filter}&$select=id,appId,displayName`)) {
        found.push(app);
      }
    } catch (error) {
      errors.push(inventoryError(error, "applications", group.join(","), GRAPH_PERMISSION));
      continue;
    }
    try {
      for await (const sp of graph.list<{ id: string; appId: string }>(`/v1.0/servicePrincipals?$filter=${filter}&$select=id,appId`)) {
        servicePrincipals.set(sp.appId.toLowerCase(), sp.id);
      }
    } catch (error) {
      errors.push(inventoryError(error, "servicePrincipals", group.join(","), GRAPH_PERMISSION));
    }
  }

  const limit = pLimit(options.concurrency ?? 8);
  const applications = await Promise.all(
    found.map((app) =>
      limit(async (): Promise<AppRegistration> => {
        const federatedCredentials: FederatedCredential[] = [];
        try {
          for await (const fic of graph.list<FederatedCredential>(`/v1.0/applications/${app.id}/federatedIdentityCredentials`)) {
            federatedCredentials.push({ ...(fic.id !== undefined && { id: fic.id }), name: fic.name, issuer: fic.issuer, subject: fic.subject, audiences: fic.audiences ?? [] });
          }
        } catch (error) {
          errors.push(inventoryError(error, "applicationFederatedIdentityCredentials", app.appId, GRAPH_PERMISSION));
        }
        const servicePrincipalId = servicePrincipals.get(app.appId.toLowerCase());
        return {
          objectId: app.id,
          appId: app.appId,
          displayName: app.displayName,
          tenantId: options.tenantId,
          ...(servicePrincipalId !== undefined && { servicePrincipalId }),
          federatedCredentials,
        };
      }),
    ),
  );
  return { applications, errors };
}
