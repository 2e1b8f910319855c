/**
 * A whole scan where only Resource Graph's custom-role-definitions query fails
 * (the simulator answers it 503 on every attempt; every other query and
 * request succeeds). Role definitions give names only (issue 16 point 4): the
 * inventory stays complete, coverage and findings are those of a scan where
 * the query worked, built-in roles keep their names from the built-in table,
 * and an assignment of a custom role keeps its role definition id, without a
 * name. A refused read (403) is a missing permission, reported as such and
 * nothing more. The real engine and SDK clients against the simulator; nothing mocked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAzureScanDependencies, scanFleet, type ScanOutcome } from "../../shared/engine/index.js";
import type { Finding } from "../../shared/findings/index.js";
import { CUSTOM_ROLES_OPERATION } from "../../shared/inventory/role-names.js";
import { loadFleet, type FaultsConfig } from "../../simulator/index.js";
import { clientsFor, MINI_FLEET_DIR, startFleetSimulator } from "../support/simulator.js";

/** The mini fleet's custom role, "DNS Zone Record Writer" (azure.json roleDefinitions). */
const CUSTOM_ROLE_GUID = "9f8e7d6c-0001-4b5a-8c7d-6e5f4a3b2c1d";
const STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
/** The custom-role query is the only Resource Graph query that filters on CustomRole (shared/inventory/queries.ts). */
const CUSTOM_ROLE_QUERY_FAILS: FaultsConfig = { resourceGraphQuota: null, rules: [{ family: "resourceGraph", body: "CustomRole", fault: "status", status: 503 }] };

let working: ScanOutcome;
let failing: ScanOutcome;
let injected: Record<string, number>;

async function scanMini(faults: FaultsConfig): Promise<{ outcome: ScanOutcome; injected: Record<string, number> }> {
  const sim = await startFleetSimulator({ fleet: await loadFleet(MINI_FLEET_DIR), faults });
  try {
    const outcome = await scanFleet(createAzureScanDependencies(clientsFor(sim, { maxRetries: 1 })), {
      scope: { subscriptions: [], managementGroups: [], clusters: [] },
      concurrency: 4,
      trigger: "cli",
    });
    return { outcome, injected: sim.faultCounts() };
  } finally {
    await sim.close();
  }
}

beforeAll(async () => {
  working = (await scanMini({ resourceGraphQuota: null })).outcome;
  ({ outcome: failing, injected } = await scanMini(CUSTOM_ROLE_QUERY_FAILS));
}, 120_000);

const key = (f: Finding) => `${f.id} ${f.checkId} ${f.severity} | ${f.resource.cluster ?? "-"} | ${f.resource.kind} | ${f.resource.name}`;
const roleNameOf = (outcome: ScanOutcome, guid: string) => outcome.inventory.roleAssignments.find((a) => a.roleDefinitionId.toLowerCase().endsWith(guid))?.roleName;

describe("a scan whose custom-role query fails, every other request succeeding", () => {
  it("failed that query only, and says so in the inventory's errors", () => {
    expect(injected["resourceGraph status 503"]).toBeGreaterThan(0);
    expect(failing.inventory.errors.map((e) => e.operation)).not.toHaveLength(0);
    expect(new Set(failing.inventory.errors.map((e) => e.operation))).toEqual(new Set([CUSTOM_ROLES_OPERATION]));
    expect(working.inventory.errors).toEqual([]);
  });

  it("keeps the inventory complete and the coverage of the scan where it worked", () => {
    expect(failing.inventory.complete).toBe(true);
    expect(failing.scan.complete).toBe(working.scan.complete);
    expect(failing.scan.coverage).toEqual(working.scan.coverage);
    expect(failing.fleetCoverage).toEqual(working.fleetCoverage);
    expect(failing.inventory.roleAssignments.map((a) => a.id).sort()).toEqual(working.inventory.roleAssignments.map((a) => a.id).sort());
  });

  it("changes no finding", () => {
    expect(working.findings.length).toBeGreaterThan(0);
    expect(failing.findings.map(key).sort()).toEqual(working.findings.map(key).sort());
  });

  it("names built-in roles from the built-in table, and leaves a custom role as its role definition id", () => {
    expect(roleNameOf(working, STORAGE_BLOB_DATA_READER)).toBe("Storage Blob Data Reader");
    expect(roleNameOf(failing, STORAGE_BLOB_DATA_READER)).toBe("Storage Blob Data Reader");
    expect(roleNameOf(working, CUSTOM_ROLE_GUID)).toBe("DNS Zone Record Writer");
    expect(roleNameOf(failing, CUSTOM_ROLE_GUID)).toBeUndefined();
  });
});

describe("a scan whose custom-role query is refused (403)", () => {
  it("adds only the scan.forbidden finding that names the permission, and keeps the inventory complete", async () => {
    const { outcome } = await scanMini({ resourceGraphQuota: null, rules: [{ family: "resourceGraph", body: "CustomRole", fault: "forbidden" }] });
    const before = new Set(working.findings.map(key));
    const added = outcome.findings.filter((f) => !before.has(key(f)));
    expect(added.map((f) => [f.checkId, f.resource.kind])).toEqual([["scan.forbidden", "Permission"]]);
    expect(outcome.findings.length - added.length).toBe(working.findings.length);
    expect(outcome.inventory.complete).toBe(true);
    expect(roleNameOf(outcome, CUSTOM_ROLE_GUID)).toBeUndefined();
  });
});
