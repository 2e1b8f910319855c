/** Resource Graph rows to the inventory's types. Missing fields become absent, never "undefined" strings. */
import type { AksCluster, ManagedIdentity, RoleAssignment } from "./model.js";
import type { Row } from "./resource-graph.js";

export function toCluster(row: Row): AksCluster {
  const aad = asRecord(row.aadProfile);
  return {
    ...armResource(row),
    ...optional("fqdn", str(row.fqdn)),
    ...optional("privateFqdn", str(row.privateFqdn)),
    isPrivate: row.enablePrivateCluster === true,
    oidcIssuerEnabled: row.oidcIssuerEnabled === true,
    ...optional("oidcIssuerUrl", str(row.oidcIssuerUrl)),
    workloadIdentityEnabled: row.workloadIdentityEnabled === true,
    ...(aad && {
      aad: {
        managed: aad.managed === true,
        azureRbac: aad.enableAzureRBAC === true,
        // ARM spells it tenantID; accept either spelling from hand-written fleets.
        ...optional("tenantId", str(aad.tenantID) ?? str(aad.tenantId)),
      },
    }),
    localAccountsDisabled: row.disableLocalAccounts === true,
    ...(row.disableRunCommand === true && { runCommandDisabled: true }),
    ...optional("kubernetesVersion", str(row.kubernetesVersion)),
    ...optional("powerState", str(row.powerState)),
  };
}

/** A resource's tags: string values only (Resource Graph gives an object, or null when there are none). */
export function toTags(value: unknown): Record<string, string> | undefined {
  const record = asRecord(value);
  if (!record) return undefined;
  const tags = Object.fromEntries(Object.entries(record).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  return Object.keys(tags).length > 0 ? tags : undefined;
}

export function toIdentity(row: Row): Omit<ManagedIdentity, "federatedCredentials" | "federatedCredentialsKnown"> {
  return {
    ...armResource(row),
    clientId: str(row.clientId) ?? "",
    principalId: str(row.principalId) ?? "",
  };
}

export function toRoleAssignment(row: Row, roleNames: ReadonlyMap<string, string>): RoleAssignment {
  const roleDefinitionId = str(row.roleDefinitionId) ?? "";
  return {
    id: str(row.id) ?? "",
    principalId: str(row.principalId) ?? "",
    principalType: str(row.principalType) ?? "",
    roleDefinitionId,
    ...optional("roleName", roleNames.get(trailingGuid(roleDefinitionId))),
    scope: str(row.scope) ?? "",
    // An ABAC condition narrows what the role allows (e.g. which roles a User Access Administrator may assign).
    ...optional("condition", str(row.condition)),
    ...optional("conditionVersion", str(row.conditionVersion)),
  };
}

/** Role definitions are compared on their trailing GUID: the same role has subscription- and tenant-level ids. */
export function trailingGuid(id: string): string {
  return (id.split("/").pop() ?? "").toLowerCase();
}

/** What Resource Graph gives of every tracked resource: where it is and whose tenant it belongs to. */
function armResource(row: Row): { id: string; name: string; subscriptionId: string; resourceGroup: string; location: string; tenantId: string } {
  return {
    id: str(row.id) ?? "",
    name: str(row.name) ?? "",
    subscriptionId: str(row.subscriptionId) ?? "",
    resourceGroup: str(row.resourceGroup) ?? "",
    location: str(row.location) ?? "",
    tenantId: str(row.tenantId) ?? "",
  };
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
