/**
 * Names of Azure built-in roles, by role definition GUID, kept in the repo so
 * the inventory need not ask Resource Graph for them: Resource Graph lists
 * every built-in role once per subscription, so a role-definition query over a
 * tenant is large and spends quota for display names only.
 *
 * Source: the published list of built-in roles, learn.microsoft.com/azure/role-based-access-control/built-in-roles
 * (MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles.md, ms.date 04/09/2026),
 * copied name and ID as printed there. Not every role: the privileged ones,
 * the general ones, and those workloads on AKS commonly hold (containers,
 * storage, networking, key vault, monitoring). A role missing here is shown by
 * its GUID; add a line from the same page. Built-in role GUIDs are the same in
 * every tenant.
 */
export const BUILT_IN_ROLE_NAMES: Readonly<Record<string, string>> = {
  // Privileged
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "a8889054-8d42-49c9-bc1c-52486c10e7cd": "Reservations Administrator",
  "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
  "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
  // General
  "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
  // Compute
  "9980e02c-c2be-4d73-94e8-173b1dc7cf3c": "Virtual Machine Contributor",
  "1c0163c0-47e6-4577-8991-ea5c82e286e4": "Virtual Machine Administrator Login",
  "fb879df8-f326-4884-b1cf-06f3ad86be52": "Virtual Machine User Login",
  // Networking
  "befefa01-2a29-4197-83a8-272ff33ce314": "DNS Zone Contributor",
  "4d97b98b-1d4f-4787-a291-c67834d212e7": "Network Contributor",
  "b12aa53e-6015-4669-85d0-8515ebb3ae7f": "Private DNS Zone Contributor",
  "a4b10055-b0c7-44c2-b00f-c7b5b3550cf7": "Traffic Manager Contributor",
  "426e0c7f-0c7e-4658-b36f-ff54d6c29b45": "CDN Endpoint Contributor",
  "ec156ff8-a8d1-4d15-830c-5b80698ca432": "CDN Profile Contributor",
  // Storage
  "5e467623-bb1f-42f4-a55d-6e525e11384b": "Backup Contributor",
  "00c29273-979b-4161-815c-10b084fb9324": "Backup Operator",
  "a795c7a0-d4a2-40c1-ae25-d81f01202912": "Backup Reader",
  "c12c1c16-33a1-487b-954d-41c89c60f349": "Reader and Data Access",
  "17d1049b-9a84-46fb-8f53-869881c3d3ab": "Storage Account Contributor",
  "81a9662b-bebf-436f-a333-f67b29880f12": "Storage Account Key Operator Service Role",
  "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
  "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
  "db58b8e5-c6ad-4a2a-8342-4190687cbf4a": "Storage Blob Delegator",
  "69566ab7-960f-475b-8e7c-b3118f30c6bd": "Storage File Data Privileged Contributor",
  "b8eda974-7b85-4f76-af95-65846b26df6d": "Storage File Data Privileged Reader",
  "0c867c2a-1d8c-454a-a3db-ab2ea1bdc8bb": "Storage File Data SMB Share Contributor",
  "aba4ae5f-2193-4029-9191-0cb91df5e314": "Storage File Data SMB Share Reader",
  "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
  "8a0f0c08-91a1-4084-bc3d-661d67233fed": "Storage Queue Data Message Processor",
  "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a": "Storage Queue Data Message Sender",
  "19e7f393-937e-4f77-808e-94535e297925": "Storage Queue Data Reader",
  "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
  "76199698-9eea-4c19-bc75-cec21354c6b6": "Storage Table Data Reader",
  // Web and Mobile
  "420fcaa2-552c-430f-98ca-3264be4806c7": "SignalR App Server",
  "12cf5a90-567b-43ae-8102-96cf46c7d9b4": "Web PubSub Service Owner",
  "de139f84-1756-47ae-9be6-808fbbe84772": "Website Contributor",
  // Containers
  "c2f4ef07-c644-48eb-af81-4b1b4947fb11": "AcrDelete",
  "7f951dda-4ed3-4680-a7ca-43fe172d538d": "AcrPull",
  "8311e382-0749-4cb8-b61a-304f252e45ec": "AcrPush",
  "5d977122-f97e-4b4d-a52f-6b43003ddb4d": "Azure Container Instances Contributor Role",
  "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8": "Azure Kubernetes Service Cluster Admin Role",
  "1afdec4b-e479-420e-99e7-f82237c7c5e6": "Azure Kubernetes Service Cluster Monitoring User",
  "4abbcc35-e782-43d8-92c5-2d3f1bd2253f": "Azure Kubernetes Service Cluster User Role",
  "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8": "Azure Kubernetes Service Contributor Role",
  "3498e952-d568-435e-9b2c-8d77e338d7f7": "Azure Kubernetes Service RBAC Admin",
  "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b": "Azure Kubernetes Service RBAC Cluster Admin",
  "7f6c6a51-bcf8-42ba-9220-52d62157d7db": "Azure Kubernetes Service RBAC Reader",
  "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb": "Azure Kubernetes Service RBAC Writer",
  "358470bc-b998-42bd-ab17-a7e34c199c0f": "Container Apps Contributor",
  // Security
  "21090545-7ca7-4776-b22c-e363652d74d2": "Key Vault Reader",
  "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
  // Identity
  "f1a07417-d97a-45cb-824c-7a7467783830": "Managed Identity Operator",
  // Monitor
  "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
};

/** The built-in role's name for a role definition GUID (any case), or undefined. */
export function builtInRoleName(guid: string): string | undefined {
  return BUILT_IN_ROLE_NAMES[guid.toLowerCase()];
}
