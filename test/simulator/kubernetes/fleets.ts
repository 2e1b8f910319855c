import type { AksCluster } from "../../../shared/inventory/model.js";
/**
 * Fleets for the Kubernetes tests: the hand-written k8s-mini fleet, and
 * generated clusters with many pods for paging and memory tests.
 */
import { fileURLToPath } from "node:url";
import { loadFleet } from "../../../simulator/fleet/load.js";
import type { FleetDescription, KubeObject } from "../../../simulator/fleet/model.js";

export const MINI_FLEET_DIR = fileURLToPath(new URL("../../fleets/k8s-mini", import.meta.url));

export function loadMiniFleet(): Promise<FleetDescription> {
  return loadFleet(MINI_FLEET_DIR);
}

/** The fleet plus one more managed cluster (a copy of the first, renamed) holding these objects. */
export function withCluster(fleet: FleetDescription, name: string, objects: KubeObject[]): FleetDescription {
  const template = fleet.azure.managedClusters[0];
  if (!template) throw new Error("the fleet has no managed cluster to copy");
  const id = template.id.replace(/[^/]+$/, name);
  const clusters = new Map(fleet.clusters);
  clusters.set(name, objects);
  return { ...fleet, azure: { ...fleet.azure, managedClusters: [...fleet.azure.managedClusters, { ...template, id, name }] }, clusters };
}

/**
 * `count` pods spread over `namespaces` namespaces; every `labelledEvery`-th
 * pod is labelled for workload identity and runs as the annotated service
 * account "wi" of its namespace.
 */
export function generatedCluster(count: number, options: { namespaces?: number; labelledEvery?: number } = {}): KubeObject[] {
  const namespaceCount = options.namespaces ?? 10;
  const labelledEvery = options.labelledEvery ?? 100;
  const objects: KubeObject[] = [];
  for (let n = 0; n < namespaceCount; n++) {
    const namespace = `team-${String(n).padStart(3, "0")}`;
    objects.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    objects.push({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "wi", namespace, annotations: { "azure.workload.identity/client-id": "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" } },
    });
    objects.push({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace } });
  }
  for (let i = 0; i < count; i++) {
    const namespace = `team-${String(i % namespaceCount).padStart(3, "0")}`;
    const labelled = i % labelledEvery === 0;
    objects.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: `app-${String(i).padStart(6, "0")}`,
        namespace,
        creationTimestamp: "2026-11-01T00:00:00Z",
        labels: { app: `app-${i % 50}`, ...(labelled && { "azure.workload.identity/use": "true" }) },
        annotations: { "prometheus.io/scrape": "true" },
      },
      spec: {
        serviceAccountName: labelled ? "wi" : "default",
        containers: [
          {
            name: "main",
            image: "registry.example/app:1.0.0",
            env: [
              { name: "LOG_LEVEL", value: "info" },
              ...(labelled ? [{ name: "AZURE_FEDERATED_TOKEN_FILE", value: "/var/run/secrets/azure/tokens/azure-identity-token" }] : []),
            ],
          },
        ],
      },
      status: { phase: "Running" },
    });
  }
  return objects;
}

/** The mini fleet's subscription and tenant (test/fleets/k8s-mini/azure.json). */
export const MINI_FLEET_SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
export const MINI_FLEET_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/** A cluster of the mini fleet as the inventory would describe it. */
export function miniFleetCluster(name: string, resourceGroup: string, extra: Partial<AksCluster> = {}): AksCluster {
  return {
    id: `/subscriptions/${MINI_FLEET_SUBSCRIPTION}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${name}`,
    name,
    subscriptionId: MINI_FLEET_SUBSCRIPTION,
    resourceGroup,
    location: "westeurope",
    tenantId: MINI_FLEET_TENANT,
    isPrivate: false,
    oidcIssuerEnabled: true,
    workloadIdentityEnabled: true,
    localAccountsDisabled: false,
    ...extra,
  };
}

/** The two clusters of the mini fleet: shop-aks reached with its static token, entra-aks with Entra ID and Azure RBAC. */
export const MINI_FLEET_CLUSTERS = {
  shop: miniFleetCluster("shop-aks", "shop-rg"),
  entra: miniFleetCluster("entra-aks", "platform-rg", { aad: { managed: true, azureRbac: true, tenantId: MINI_FLEET_TENANT }, localAccountsDisabled: true }),
};
