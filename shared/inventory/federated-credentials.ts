/** Federated identity credentials of each managed identity, from ARM (they are not in Resource Graph). */
import pLimit from "p-limit";
import type { AzureClients } from "../azure/index.js";
import { inventoryError } from "./errors.js";
import type { FederatedCredential, InventoryError, ManagedIdentity } from "./model.js";

export async function withFederatedCredentials(
  clients: AzureClients,
  identities: ReadonlyArray<Omit<ManagedIdentity, "federatedCredentials" | "federatedCredentialsKnown">>,
  concurrency: number,
  errors: InventoryError[],
): Promise<ManagedIdentity[]> {
  const limit = pLimit(concurrency);
  return Promise.all(
    identities.map((identity) =>
      limit(async (): Promise<ManagedIdentity> => {
        try {
          const credentials: FederatedCredential[] = [];
          const pages = clients.managedIdentity(identity.subscriptionId).federatedIdentityCredentials.list(identity.resourceGroup, identity.name);
          for await (const fic of pages) {
            credentials.push({
              ...(fic.id !== undefined && { id: fic.id }),
              name: fic.name ?? "",
              issuer: fic.issuer ?? "",
              subject: fic.subject ?? "",
              audiences: fic.audiences ?? [],
            });
          }
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
