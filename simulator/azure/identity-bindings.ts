/**
 * AKS identity bindings as ARM serves them: the child resources
 * `Microsoft.ContainerService/managedClusters/{name}/identityBindings`
 * (azure-rest-api-specs specification/containerservice/resource-manager/
 * Microsoft.ContainerService/aks, examples/2026-04-01/IdentityBindings_List.json
 * and IdentityBindings_Get.json): `{ value, nextLink? }` for the list, the
 * resource itself for one, with `id` under the cluster's id as written,
 * `type`, `eTag` and the read-only properties filled by AKS.
 */
import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { ArmObject, FleetIdentityBinding } from "../fleet/model.js";
import { sendArmError } from "./arm-errors.js";
import type { AzureContext } from "./context.js";

/**
 * The api-versions that know identity bindings: 2025-10-02-preview and
 * 2026-04-01, the GA version @azure/arm-containerservice 25.3.0 sends (its
 * identityBindings operations default to it). Both have an examples folder with IdentityBindings_*.json in
 * azure-rest-api-specs; the older versions of the provider have no such type.
 */
export const IDENTITY_BINDINGS_API_VERSIONS = ["2026-04-01", "2025-10-02-preview"] as const;

export const IDENTITY_BINDING_TYPE = "Microsoft.ContainerService/managedClusters/identityBindings";

/** The cluster's bindings as ARM returns them, in the fleet's order. */
export function identityBindingsOf(ctx: AzureContext, cluster: ArmObject): ArmObject[] {
  const bindings = ctx.fleet.azure.identityBindings ?? {};
  const own = bindings[cluster.id] ?? Object.entries(bindings).find(([id]) => id.toLowerCase() === cluster.id.toLowerCase())?.[1] ?? [];
  return own.map((binding) => servedBinding(ctx, cluster, binding));
}

/** Answers GET of one binding: the binding, or ARM's ResourceNotFound for a child that does not exist. */
export function sendIdentityBinding(ctx: AzureContext, cluster: ArmObject, name: string, res: ServerResponse): ArmObject | undefined {
  const binding = identityBindingsOf(ctx, cluster).find((b) => b.name.toLowerCase() === name.toLowerCase());
  if (binding === undefined) {
    sendArmError(res, 404, "ResourceNotFound", `The Resource '${IDENTITY_BINDING_TYPE}/${cluster.name}/${name}' under resource group '${resourceGroupOf(cluster.id)}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
  }
  return binding;
}

/**
 * ARM's answer for a child resource whose parent does not exist: 404
 * ParentResourceNotFound, "Can not perform requested operation on nested
 * resource. Parent resource '<name>' not found." (learn.microsoft.com,
 * azure-resource-manager/troubleshooting/error-parent-resource).
 */
export function sendParentClusterNotFound(res: ServerResponse, clusterName: string): void {
  sendArmError(res, 404, "ParentResourceNotFound", `Can not perform requested operation on nested resource. Parent resource '${clusterName}' not found.`);
}

/**
 * One binding with what AKS fills: the managed identity's clientId, objectId
 * (its principalId) and tenantId, and the issuer AKS keeps for the identity,
 * `https://ib.oic.prod-aks.azure.com/<tenant>/<clientId>` ("Get the OIDC
 * issuer URL for the UAMI", azure-aks-docs articles/aks/identity-bindings.md;
 * the same for every binding of the identity, identity-bindings-concepts.md).
 * provisioningState is Succeeded unless the fleet says otherwise.
 */
function servedBinding(ctx: AzureContext, cluster: ArmObject, binding: FleetIdentityBinding): ArmObject {
  const { properties } = binding;
  const requested = properties.managedIdentity;
  const identity = ctx.fleet.azure.userAssignedIdentities.find((i) => i.id.toLowerCase() === requested.resourceId.toLowerCase());
  const identityProperties = (identity?.properties ?? {}) as { clientId?: string; principalId?: string; tenantId?: string };
  const id = `${cluster.id}/identityBindings/${binding.name}`;
  return {
    name: binding.name,
    type: IDENTITY_BINDING_TYPE,
    eTag: `"${createHash("sha256").update(JSON.stringify([id, requested.resourceId, properties.provisioningState])).digest("hex").slice(0, 32)}"`,
    id,
    properties: {
      managedIdentity: {
        clientId: identityProperties.clientId,
        objectId: identityProperties.principalId,
        resourceId: requested.resourceId,
        tenantId: identityProperties.tenantId,
      },
      oidcIssuer: { oidcIssuerUrl: `https://ib.oic.prod-aks.azure.com/${identityProperties.tenantId}/${identityProperties.clientId}` },
      provisioningState: properties.provisioningState ?? "Succeeded",
    },
  };
}

function resourceGroupOf(id: string): string {
  return /\/resourcegroups\/([^/]+)/i.exec(id)?.[1] ?? "";
}
