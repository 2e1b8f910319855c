/**
 * The engine's dependencies, one set per scan. A scan's activities run in
 * different processes, so what the CLI learns along the way (the tenant, from
 * the inventory) is handed in here from the staged inventory instead; and app
 * registration lookups are cached per scan, never across weeks.
 */
import { DefaultAzureCredential } from "@azure/identity";
import { cloudEndpoints, createAzureClients, type AzureClients } from "../../shared/azure/index.js";
import type { WiscanConfig } from "../../shared/config/index.js";
import { createAzureScanDependencies, scanSettingsFromConfig } from "../../shared/engine/azure-dependencies.js";
import type { ScanDependencies } from "../../shared/engine/index.js";

export interface ScanDependenciesRequest {
  scanId: string;
  /** The scan's tenant, once its inventory knows it. */
  tenantId?: string;
}

export type ScanDependenciesFactory = (request: ScanDependenciesRequest) => ScanDependencies;

/** Scans whose dependencies (and their lookup caches) a worker keeps at once. */
const KEPT = 2;

export function scanDependenciesFactory(clients: AzureClients, config: WiscanConfig): ScanDependenciesFactory {
  const perScan = new Map<string, ScanDependencies>();
  return ({ scanId, tenantId }) => {
    const key = `${scanId}|${tenantId ?? ""}`;
    let dependencies = perScan.get(key);
    if (!dependencies) {
      const tenant = tenantId ?? config.tenantId;
      dependencies = createAzureScanDependencies(
        clients,
        scanSettingsFromConfig(config, tenant !== undefined && tenant !== "" ? { tenantId: tenant } : {}),
      );
      perScan.set(key, dependencies);
      while (perScan.size > KEPT) perScan.delete(perScan.keys().next().value!);
    }
    return dependencies;
  };
}

/** Production: Azure, as the scanner's managed identity (AZURE_CLIENT_ID names a user-assigned one). */
export function azureScanDependencies(config: WiscanConfig): ScanDependenciesFactory {
  const managedIdentityClientId = config.scanner.managedIdentityClientId;
  // additionallyAllowedTenants: an Entra-integrated cluster of another tenant takes tokens of its tenant only
  // (a managed identity cannot get them; a multi-tenant app registration can: docs/permissions.md).
  const credential = new DefaultAzureCredential({
    authorityHost: cloudEndpoints(config.cloud).authorityHost,
    ...(managedIdentityClientId !== undefined && { managedIdentityClientId }),
    additionallyAllowedTenants: ["*"],
  });
  return scanDependenciesFactory(createAzureClients({ credential, cloud: config.cloud }), config);
}
