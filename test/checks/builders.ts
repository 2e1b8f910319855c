/**
 * A small typed fleet for check tests: one healthy cluster whose workload
 * identity setup is right in every respect, which each test then breaks in
 * exactly one way. Everything is a fresh object per call, so tests may mutate.
 */
import { expect } from "vitest";
import type {
  AksCluster,
  AppRegistration,
  FederatedCredential,
  Inventory,
  ManagedIdentity,
  RoleAssignment,
} from "../../shared/inventory/model.js";
import type {
  ClusterSnapshot,
  ContainerSummary,
  PodSummary,
  ServiceAccountSummary,
  WebhookDeployment,
  WorkloadKind,
  WorkloadSummary,
} from "../../shared/cluster/model.js";
import type { CheckId, Finding } from "../../shared/findings/index.js";
import {
  buildFleetView,
  claimedCredentials,
  runClusterChecks,
  runFleetChecks,
  summarizeClusterUsage,
  type CheckSelection,
  type ClusterUsage,
} from "../../shared/checks/index.js";

export const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
export const CLUSTER_GUID = "3f2b8c1e-5d4a-4e6f-9a8b-7c6d5e4f3a2b";
export const ISSUER = `https://eastus.oic.prod-aks.azure.com/${TENANT}/${CLUSTER_GUID}/`;
export const OTHER_ISSUER = `https://westeurope.oic.prod-aks.azure.com/${TENANT}/9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a/`;
export const CLIENT_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
export const PRINCIPAL_ID = "11111111-2222-4333-8444-555555555555";
export const APP_CLIENT_ID = "c0ffee00-1234-4abc-9def-0123456789ab";
export const AUDIENCE = "api://AzureADTokenExchange";
export const NS = "orders";
export const SA = "orders-sa";
export const SUBJECT = `system:serviceaccount:${NS}:${SA}`;

export function cluster(overrides: Partial<AksCluster> = {}): AksCluster {
  const name = overrides.name ?? "aks-prod";
  return {
    id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/${name}`,
    name,
    subscriptionId: SUBSCRIPTION,
    resourceGroup: "rg-aks",
    location: "eastus",
    tenantId: TENANT,
    fqdn: `${name}-dns.hcp.eastus.azmk8s.io`,
    isPrivate: false,
    oidcIssuerEnabled: true,
    oidcIssuerUrl: ISSUER,
    workloadIdentityEnabled: true,
    localAccountsDisabled: true,
    powerState: "Running",
    ...overrides,
  };
}

/** An exact credential for orders/orders-sa on the cluster; `subject` is shorthand for an exact trust with that subject. */
export function credential(overrides: Partial<FederatedCredential> & { subject?: string } = {}): FederatedCredential {
  const { subject, ...rest } = overrides;
  return { name: "aks-prod-orders", issuer: ISSUER, trust: { kind: "exact", subject: subject ?? SUBJECT }, audiences: [AUDIENCE], ...rest };
}

/** A flexible credential (claimsMatchingExpression, no subject) for the cluster's issuer unless told otherwise. */
export function flexibleCredential(value: string | undefined, overrides: Partial<FederatedCredential> = {}): FederatedCredential {
  return {
    name: "flexible",
    issuer: ISSUER,
    trust: value === undefined ? { kind: "flexible" } : { kind: "flexible", expression: { value, languageVersion: 1 } },
    audiences: [AUDIENCE],
    ...overrides,
  };
}

export function identity(overrides: Partial<ManagedIdentity> = {}): ManagedIdentity {
  const name = overrides.name ?? "id-orders";
  return {
    id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`,
    name,
    subscriptionId: SUBSCRIPTION,
    resourceGroup: "rg-identities",
    location: "eastus",
    clientId: CLIENT_ID,
    principalId: PRINCIPAL_ID,
    tenantId: TENANT,
    federatedCredentials: [credential()],
    federatedCredentialsKnown: true,
    ...overrides,
  };
}

export function app(overrides: Partial<AppRegistration> = {}): AppRegistration {
  return {
    objectId: "0a0a0a0a-1b1b-4c2c-8d3d-4e4e4e4e4e4e",
    appId: APP_CLIENT_ID,
    displayName: "orders-app",
    tenantId: TENANT,
    homeTenantId: TENANT,
    signInAudience: "AzureADMyOrg",
    servicePrincipalId: "5e5e5e5e-6f6f-4a7a-8b8b-9c9c9c9c9c9c",
    federatedCredentials: [],
    ...overrides,
  };
}

export function roleAssignment(overrides: Partial<RoleAssignment> = {}): RoleAssignment {
  return {
    id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdata/providers/Microsoft.Authorization/roleAssignments/77777777-8888-4999-8aaa-bbbbbbbbbbbb`,
    principalId: PRINCIPAL_ID,
    principalType: "ServicePrincipal",
    roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1`,
    roleName: "Storage Blob Data Reader",
    scope: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdata`,
    ...overrides,
  };
}

export function inventory(overrides: Partial<Inventory> = {}): Inventory {
  return {
    tenantId: TENANT,
    collectedAt: "2026-03-02T06:00:00Z",
    subscriptions: [{ subscriptionId: SUBSCRIPTION }],
    complete: true,
    clusters: [cluster()],
    identities: [identity()],
    applications: [],
    roleAssignments: [roleAssignment()],
    errors: [],
    requests: { resourceGraph: 0, arm: 0, graph: 0, kubernetes: 0 },
    ...overrides,
  };
}

export function serviceAccount(namespace: string, name: string, annotations: Record<string, string> = {}, labels: Record<string, string> = {}): ServiceAccountSummary {
  return { namespace, name, annotations, labels };
}

/** The containers of a pod the webhook mutated. */
export function mutatedContainers(clientId = CLIENT_ID): ContainerSummary[] {
  return [
    {
      name: "app",
      init: false,
      env: {
        AZURE_CLIENT_ID: clientId,
        AZURE_TENANT_ID: TENANT,
        AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/wi/azure-identity-token",
        AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com/",
      },
      mountPaths: ["/var/run/secrets/azure/wi"],
    },
  ];
}

/** A labelled pod as webhook v1.6.0+ leaves it (volume azure-workload-identity-reserved-<hash>). */
export function pod(overrides: Partial<PodSummary> = {}): PodSummary {
  return {
    namespace: NS,
    name: "orders-api-7d9f8b6c5-x2k4q",
    labels: { app: "orders-api", "azure.workload.identity/use": "true" },
    annotations: {},
    serviceAccountName: SA,
    hostNetwork: false,
    creationTimestamp: "2026-03-01T10:00:00Z",
    phase: "Running",
    owner: { kind: "ReplicaSet", name: "orders-api-7d9f8b6c5" },
    containers: mutatedContainers(),
    projectedTokenVolumes: [
      { volumeName: "azure-workload-identity-reserved-6f1c2", audience: AUDIENCE, expirationSeconds: 3600, path: "azure-identity-token" },
    ],
    ...overrides,
  };
}

export function workload(kind: WorkloadKind, name: string, overrides: Partial<WorkloadSummary> = {}, template: Partial<WorkloadSummary["template"]> = {}): WorkloadSummary {
  return {
    kind,
    namespace: NS,
    name,
    labels: { app: name },
    annotations: {},
    template: { labels: { app: name, "azure.workload.identity/use": "true" }, annotations: {}, serviceAccountName: SA, hostNetwork: false, ...template },
    replicas: 2,
    readyReplicas: 2,
    ...overrides,
  };
}

export function addonWebhook(overrides: Partial<WebhookDeployment> = {}): WebhookDeployment {
  return { namespace: "kube-system", name: "azure-wi-webhook-controller-manager", source: "aks-addon", replicas: 2, readyReplicas: 2, ...overrides };
}

export function snapshot(overrides: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return {
    cluster: cluster(),
    collectedAt: "2026-03-02T06:05:00Z",
    accessPath: "direct",
    namespaces: [
      { name: "kube-system", labels: {} },
      { name: NS, labels: {} },
    ],
    serviceAccounts: [serviceAccount(NS, SA, { "azure.workload.identity/client-id": CLIENT_ID }), serviceAccount(NS, "default")],
    pods: [pod()],
    workloads: [
      workload("Deployment", "orders-api"),
      workload("ReplicaSet", "orders-api-7d9f8b6c5", { owner: { kind: "Deployment", name: "orders-api" } }),
    ],
    services: [],
    webhookDeployments: [addonWebhook()],
    mutatingWebhooks: [
      {
        configurationName: "azure-wi-webhook-mutating-webhook-configuration",
        // As on AKS: the admissions enforcer's namespaceSelector (simulator/generator/kube.ts cites the sources).
        webhooks: [
          {
            name: "mutation.azure-workload-identity.io",
            objectSelectorLabels: { "azure.workload.identity/use": "true" },
            objectSelector: { matchLabels: { "azure.workload.identity/use": "true" } },
            namespaceSelector: {
              matchExpressions: [
                { key: "control-plane", operator: "DoesNotExist" },
                { key: "kubernetes.azure.com/managedby", operator: "NotIn", values: ["aks"] },
              ],
            },
            failurePolicy: "Fail",
          },
        ],
      },
    ],
    logEvidence: [],
    errors: [],
    stats: { requests: 10, podPages: 1, podsSeen: 40, durationMs: 200 },
    ...overrides,
  };
}

export interface TestFleet {
  inventory: Inventory;
  snapshots: ClusterSnapshot[];
}

/** The healthy baseline: every check stays quiet on it. */
export function healthyFleet(): TestFleet {
  return { inventory: inventory(), snapshots: [snapshot()] };
}

/** Runs one check the way the engine does (per cluster, then once for the fleet) and fails the test if it threw. */
export function findingsOf(checkId: CheckId, fleet: TestFleet): Finding[] {
  return findingsOfSelection({ include: [checkId] }, fleet);
}

/** Runs the selected checks together (all by default), as the engine does, so one can supersede another. */
export function findingsOfSelection(selection: CheckSelection, fleet: TestFleet): Finding[] {
  const view = buildFleetView(fleet.inventory);
  const findings: Finding[] = [];
  const usages: ClusterUsage[] = [];
  for (const s of fleet.snapshots) {
    const result = runClusterChecks(view, s, selection);
    expect(result.failures).toEqual([]);
    findings.push(...result.findings);
    usages.push(summarizeClusterUsage(s, claimedCredentials(result.findings)));
  }
  const fleetResult = runFleetChecks(view, usages, selection);
  expect(fleetResult.failures).toEqual([]);
  findings.push(...fleetResult.findings);
  return findings;
}

/** Asserts the check reports on this fleet and returns its findings (the registry test looks for a fires() per check). */
export function fires(checkId: CheckId, fleet: TestFleet): Finding[] {
  const found = findingsOf(checkId, fleet);
  expect(found.length, `${checkId} should report`).toBeGreaterThan(0);
  for (const f of found) expect(f.checkId).toBe(checkId);
  return found;
}

/** Asserts the check stays silent on this fleet (the registry test looks for a quiet() per check). */
export function quiet(checkId: CheckId, fleet: TestFleet): void {
  expect(findingsOf(checkId, fleet), `${checkId} should stay quiet`).toEqual([]);
}

export function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

/** The first snapshot, for tests that change it. */
export function first(fleet: TestFleet): ClusterSnapshot {
  return fleet.snapshots[0] as ClusterSnapshot;
}
