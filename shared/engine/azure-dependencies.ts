/**
 * The engine's ScanDependencies on real Azure clients: the production path, and
 * the demo's and tests' path too, with the same clients pointed at the fleet
 * simulator. Only the clients differ; nothing here knows which it talks to.
 */
import type { AzureClients } from "../azure/index.js";
import { collectClusterSnapshot, resolveClusterAccess, snapshotWithoutAccess, type CollectOptions } from "../cluster/index.js";
import { clusterInScopes, orThroughRunCommand, withIdentityBindings } from "../cluster/index.js";
import { withTokenExchangeProbe } from "../probe/index.js";
import { collectApplications, collectInventory, type ApplicationsResult } from "../inventory/index.js";
import type { RequestCounts } from "../inventory/model.js";
import type { ScanDependencies } from "./dependencies.js";
import type { WiscanConfig } from "../config/index.js";

export interface AzureScanSettings {
  /** Tenant of identities and app registrations; default: the one the inventory finds. */
  tenantId?: string;
  /** Parallel federated-credential and Graph reads during the inventory. */
  inventoryConcurrency?: number;
  collect?: CollectOptions;
  // --- issue 10 (probe and run command), both opt-in: absent or empty scopes change nothing ---
  /** PROBE_SCOPES: subscription ids or cluster resource ids whose service accounts get the live token-exchange probe. */
  probeScopes?: readonly string[];
  /** RUN_COMMAND_SCOPES: subscription ids or cluster resource ids whose unreachable clusters are read through ARM run command. */
  runCommandScopes?: readonly string[];
  /** Entra authority host for the probe's exchange; default https://login.microsoftonline.com (the simulator's authorityHost in tests). */
  authorityHost?: string;
}

/** The scan settings the configuration names: one mapping for the Functions app and the CLI. */
export function scanSettingsFromConfig(config: WiscanConfig, overrides: Partial<AzureScanSettings> = {}): AzureScanSettings {
  return {
    ...(config.tenantId !== undefined && { tenantId: config.tenantId }),
    probeScopes: config.scanner.probeScopes,
    runCommandScopes: config.scanner.runCommandScopes,
    collect: {
      requestTimeoutMs: config.scanner.clusterTimeoutSeconds * 1000,
      logTailLines: config.scanner.logTailLines,
      logMaxPods: config.scanner.logMaxPodsPerCluster,
      logPodsPerOwner: config.scanner.logPodsPerOwner,
    },
    ...overrides,
  };
}

export function createAzureScanDependencies(clients: AzureClients, settings: AzureScanSettings = {}): ScanDependencies & { requestCounts(): RequestCounts } {
  let tenantId = settings.tenantId ?? "";
  // Several clusters name the same app registration: look each client id up once per scan.
  const applicationLookups = new Map<string, Promise<ApplicationsResult>>();

  return {
    async inventory(scope) {
      const inventory = await collectInventory(clients, {
        ...(scope.subscriptions.length > 0 && { subscriptions: scope.subscriptions }),
        ...(scope.managementGroups.length > 0 && { managementGroups: scope.managementGroups }),
        ...(settings.tenantId !== undefined && { tenantId: settings.tenantId }),
        ...(settings.inventoryConcurrency !== undefined && { concurrency: settings.inventoryConcurrency }),
      });
      tenantId = inventory.tenantId;
      return inventory;
    },

    async applications(clientIds) {
      const ids = [...new Set(clientIds.map((id) => id.toLowerCase()))];
      const missing = ids.filter((id) => !applicationLookups.has(id));
      if (missing.length > 0) {
        const lookup = collectApplications(clients.graph, missing, { tenantId });
        for (const id of missing) applicationLookups.set(id, lookup);
      }
      const results = await Promise.all([...new Set(ids.map((id) => applicationLookups.get(id)!))]);
      const wanted = new Set(ids);
      return {
        applications: results.flatMap((r) => r.applications).filter((a) => wanted.has(a.appId.toLowerCase())),
        errors: results.flatMap((r) => r.errors),
      };
    },

    async snapshot(cluster) {
      const access = await resolveClusterAccess(cluster, {
        containerService: clients.containerService(cluster.subscriptionId),
        credential: clients.credential,
      });
      if (!access.ok) return snapshotWithoutAccess(cluster, [access.error]);
      const direct = await collectClusterSnapshot(cluster, access.access, settings.collect ?? {});
      // --- issue 10: run command for unreachable clusters, then the live probe; each only where its scope allows ---
      const collected = await orThroughRunCommand(
        direct,
        { containerService: clients.containerService(cluster.subscriptionId), credential: clients.credential },
        { scopes: settings.runCommandScopes ?? [], ...runCommandCollectOptions(settings.collect) },
      );
      // Issue 17: the cluster's identity bindings (ARM), whichever path read its pods, only where some pod opts in.
      const snapshot = await withIdentityBindings(collected, clients.containerService(cluster.subscriptionId));
      if (!clusterInScopes(settings.probeScopes ?? [], cluster)) return snapshot;
      return withTokenExchangeProbe(snapshot, access.access, {
        tenantId: tenantId || cluster.tenantId,
        authorityHost: settings.authorityHost ?? clients.cloud.authorityHost,
        scope: clients.armScope,
        ...(clients.tlsCa !== undefined && { tlsCa: clients.tlsCa }),
        ...(settings.collect?.requestTimeoutMs !== undefined && { requestTimeoutMs: settings.collect.requestTimeoutMs }),
      });
    },

    requestCounts: () => clients.requestCounter.snapshot(),
  };
}

/** The log settings of the direct path, for the run-command path (issue 10). */
function runCommandCollectOptions(collect: CollectOptions | undefined) {
  return {
    ...(collect?.logTailLines !== undefined && { logTailLines: collect.logTailLines }),
    ...(collect?.logSinceSeconds !== undefined && { logSinceSeconds: collect.logSinceSeconds }),
    ...(collect?.logMaxPods !== undefined && { logMaxPods: collect.logMaxPods }),
    ...(collect?.logPodsPerOwner !== undefined && { logPodsPerOwner: collect.logPodsPerOwner }),
  };
}
