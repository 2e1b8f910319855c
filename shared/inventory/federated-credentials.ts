/**
 * Federated identity credentials of each managed identity, from ARM (they are
 * not in Resource Graph).
 *
 * Read with api-version 2025-01-31-preview, the first that returns a flexible
 * credential's claimsMatchingExpression (azure-rest-api-specs
 * specification/msi/.../preview/2025-01-31-preview, example
 * FlexibleFederatedIdentityCredentialGet.json). The pinned @azure/arm-msi 2.2.0
 * sends only 2024-11-30, whose schema has no expression and whose serializer
 * would drop it anyway, so the list is a raw GET through the same client's
 * pipeline (credential, retries, request counter, timeout). Where ARM refuses
 * the preview version (a cloud that lacks it) the SDK's stable list is the
 * fallback: flexible credentials are then known as flexible, without their
 * expression.
 */
import { createHttpHeaders, createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import pLimit from "p-limit";
import type { AzureClients } from "../azure/index.js";
import { credentialTrust, fromArmCredential } from "./credential-trust.js";
import { inventoryError } from "./errors.js";
import type { FederatedCredential, InventoryError, ManagedIdentity } from "./model.js";

export const FLEXIBLE_CREDENTIALS_API_VERSION = "2025-01-31-preview";

type IdentityBase = Omit<ManagedIdentity, "federatedCredentials" | "federatedCredentialsKnown">;

export async function withFederatedCredentials(
  clients: AzureClients,
  identities: ReadonlyArray<IdentityBase>,
  concurrency: number,
  errors: InventoryError[],
): Promise<ManagedIdentity[]> {
  const limit = pLimit(concurrency);
  return Promise.all(
    identities.map((identity) =>
      limit(async (): Promise<ManagedIdentity> => {
        try {
          const credentials = await listCredentials(clients, identity);
          return { ...identity, federatedCredentials: credentials, federatedCredentialsKnown: true };
        } catch (error) {
          errors.push(
            inventoryError(error, "federatedIdentityCredentials", identity.id, "Reader on the identity (Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read)"),
          );
          return { ...identity, federatedCredentials: [], federatedCredentialsKnown: false };
        }
      }),
    ),
  );
}

async function listCredentials(clients: AzureClients, identity: IdentityBase): Promise<FederatedCredential[]> {
  try {
    return await listWithPreview(clients, identity);
  } catch (error) {
    if (!isApiVersionRefusal(error)) throw error;
    return listWithSdk(clients, identity);
  }
}

async function listWithPreview(clients: AzureClients, identity: IdentityBase): Promise<FederatedCredential[]> {
  const client = clients.managedIdentity(identity.subscriptionId);
  const path =
    `/subscriptions/${encodeURIComponent(identity.subscriptionId)}/resourceGroups/${encodeURIComponent(identity.resourceGroup)}` +
    `/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${encodeURIComponent(identity.name)}/federatedIdentityCredentials`;
  let url: string | undefined = `${clients.armEndpoint}${path}?api-version=${FLEXIBLE_CREDENTIALS_API_VERSION}`;
  const credentials: FederatedCredential[] = [];
  const seen = new Set<string>();
  while (url !== undefined) {
    // A nextLink that repeats would loop forever: ARM never sends one, a broken proxy might.
    if (seen.has(url)) throw new Error(`ARM repeated the nextLink ${url} while listing the federated credentials of ${identity.id}`);
    seen.add(url);
    const request = createPipelineRequest({ url, method: "GET", headers: createHttpHeaders({ accept: "application/json" }) });
    const response = await client.sendRequest(request);
    const body = parseJson(response.bodyAsText);
    if (response.status >= 400) {
      const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new RestError(error?.message ?? `ARM answered ${response.status} for ${url}`, {
        ...(error?.code !== undefined && { code: error.code }),
        statusCode: response.status,
        request,
        response,
      });
    }
    const page = (body ?? {}) as { value?: unknown; nextLink?: unknown };
    for (const raw of Array.isArray(page.value) ? page.value : []) {
      if (typeof raw === "object" && raw !== null) credentials.push(fromArmCredential(raw as Record<string, unknown>));
    }
    url = typeof page.nextLink === "string" && page.nextLink !== "" ? page.nextLink : undefined;
  }
  return credentials;
}

async function listWithSdk(clients: AzureClients, identity: IdentityBase): Promise<FederatedCredential[]> {
  const credentials: FederatedCredential[] = [];
  for await (const fic of clients.managedIdentity(identity.subscriptionId).federatedIdentityCredentials.list(identity.resourceGroup, identity.name)) {
    credentials.push({
      ...(fic.id !== undefined && { id: fic.id }),
      name: fic.name ?? "",
      issuer: fic.issuer ?? "",
      // The stable schema has no expression: a credential without a subject is flexible, expression unknown.
      trust: credentialTrust(fic.subject, undefined, fic.issuer),
      audiences: fic.audiences ?? [],
    });
  }
  return credentials;
}

/** ARM's answers to an api-version it does not serve for this resource type. */
function isApiVersionRefusal(error: unknown): boolean {
  if (!(error instanceof RestError) || error.statusCode !== 400) return false;
  return error.code === "NoRegisteredProviderFound" || error.code === "InvalidApiVersionParameter" || error.code === "InvalidResourceType";
}

function parseJson(text: string | null | undefined): unknown {
  if (text === undefined || text === null || text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
