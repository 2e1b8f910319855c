/** Built-in Azure roles the simulator always knows, as Resource Graph lists them under authorizationresources. */
export const BUILT_IN_ROLES: ReadonlyArray<{ guid: string; roleName: string }> = [
  { guid: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", roleName: "Owner" },
  { guid: "b24988ac-6180-42a0-ab88-20f7382dd24c", roleName: "Contributor" },
  { guid: "acdd72a7-3385-48ef-bd42-f606fba81ae7", roleName: "Reader" },
  { guid: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", roleName: "Storage Blob Data Reader" },
  { guid: "ba92f5b4-2d11-453d-a403-e96b0029c9fe", roleName: "Storage Blob Data Contributor" },
  { guid: "4633458b-17de-408a-b874-0445c86b69e6", roleName: "Key Vault Secrets User" },
  { guid: "21090545-7ca7-4776-b22c-e363652d74d2", roleName: "Key Vault Reader" },
  { guid: "7f951dda-4ed3-4680-a7ca-43fe172d538d", roleName: "AcrPull" },
  { guid: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f", roleName: "Azure Kubernetes Service Cluster User Role" },
  { guid: "7f6c6a51-bcf8-42ba-9220-52d62157d7db", roleName: "Azure Kubernetes Service RBAC Reader" },
  { guid: "f1a07417-d97a-45cb-824c-7a7467783830", roleName: "Managed Identity Operator" },
  { guid: "4d97b98b-1d4f-4787-a291-c67834d212e7", roleName: "Network Contributor" },
  { guid: "3913510d-42f4-4e42-8a64-420c390055eb", roleName: "Monitoring Metrics Publisher" },
];
