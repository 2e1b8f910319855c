/**
 * What the scan's activities work with: the engine's dependencies (Azure and
 * Kubernetes), the findings store and the staging table. Built from the app
 * settings on first use by an activity, never at import time (registering the
 * functions needs no configuration), then shared by every invocation of the
 * worker. Tests and other hosts hand in their own with useScanRuntime.
 */
import type { CheckSelection } from "../../shared/checks/index.js";
import { loadConfig } from "../../shared/config/index.js";
import type { FindingsStore } from "../../shared/store/index.js";
import { findingsStore } from "../http/store-instance.js";
import { azureScanDependencies, type ScanDependenciesFactory } from "./scan-dependencies.js";
import { createScanStaging, type ScanStaging } from "./scan-staging.js";

export interface ScanRuntime {
  /** The engine's dependencies for one scan (see scan-dependencies.ts). */
  dependencies: ScanDependenciesFactory;
  store: FindingsStore;
  staging: ScanStaging;
  /** Which checks run; every one unless a host narrows it. */
  checks?: CheckSelection;
}

let instance: Promise<ScanRuntime> | undefined;

export function scanRuntime(): Promise<ScanRuntime> {
  if (!instance) {
    instance = fromSettings();
    // A failed start (bad setting, storage unreachable) is retried by the next activity, not cached.
    instance.catch(() => {
      instance = undefined;
    });
  }
  return instance;
}

/** Uses the given runtime instead of the app settings; undefined goes back to the settings. */
export function useScanRuntime(runtime: ScanRuntime | undefined): void {
  instance = runtime === undefined ? undefined : Promise.resolve(runtime);
}

async function fromSettings(): Promise<ScanRuntime> {
  const config = loadConfig(process.env);
  const [store, staging] = await Promise.all([
    findingsStore(),
    createScanStaging(config.store, {
      ...(config.scanner.managedIdentityClientId !== undefined && { managedIdentityClientId: config.scanner.managedIdentityClientId }),
    }),
  ]);
  return { dependencies: azureScanDependencies(config), store, staging };
}
