import { describe, expect, it } from "vitest";
import {
  CHECKS,
  UnknownCheckError,
  defineCheck,
  buildFleetView,
  claimedCredentials,
  combineUsage,
  runClusterChecks,
  runFleetChecks,
  selectChecks,
  summarizeClusterUsage,
} from "../../shared/checks/index.js";
import { clusterOidcIssuerDisabled } from "../../shared/checks/catalog/cluster-oidc-issuer-disabled.js";
import { clusterWebhookDuplicate } from "../../shared/checks/catalog/cluster-webhook-duplicate.js";
import { CLIENT_ID, NS, TENANT, credential, first, healthyFleet, identity, serviceAccount, snapshot, workload } from "./builders.js";

describe("the check runner", () => {
  it("finds nothing on a cluster whose workload identity setup is right", () => {
    const fleet = healthyFleet();
    const view = buildFleetView(fleet.inventory);
    const cluster = runClusterChecks(view, first(fleet));
    const fleetResult = runFleetChecks(view, [summarizeClusterUsage(first(fleet), claimedCredentials(cluster.findings))]);
    expect(cluster).toMatchObject({ findings: [], failures: [] });
    expect(fleetResult).toMatchObject({ findings: [], failures: [] });
    // Everything was read and every check ran: everything is covered but the opt-in probe.
    const gaps = cluster.coverage.checks.filter((c) => c.state !== "complete");
    expect(gaps.map((c) => [c.checkId, c.reason])).toEqual([["probe.token-exchange-failed", "probe-off"]]);
    expect(fleetResult.coverage.checks.every((c) => c.state === "complete")).toBe(true);
  });

  it("records a check that throws and still runs the others", () => {
    const fleet = healthyFleet();
    first(fleet).cluster.oidcIssuerEnabled = false;
    const throwing = defineCheck({
      ...clusterWebhookDuplicate,
      evaluateCluster: () => {
        throw new Error("collector handed over something odd");
      },
      evaluateFleet: () => {
        throw new Error("inventory handed over something odd");
      },
    });
    const checks = [throwing, clusterOidcIssuerDisabled];
    const view = buildFleetView(fleet.inventory);
    const result = runClusterChecks(view, first(fleet), {}, checks);
    expect(result.failures).toEqual([
      { checkId: "cluster.webhook-duplicate", scope: "cluster", clusterId: first(fleet).cluster.id, message: "collector handed over something odd" },
    ]);
    expect(result.findings.map((f) => f.checkId)).toEqual(["cluster.oidc-issuer-disabled"]);
    // A check that threw covered nothing: its earlier findings on this cluster must not resolve.
    expect(result.coverage.checks.find((c) => c.checkId === "cluster.webhook-duplicate")).toMatchObject({ state: "none", reason: "check-failed" });
    const fleetResult = runFleetChecks(view, [], {}, checks);
    expect(fleetResult).toMatchObject({
      findings: [],
      failures: [{ checkId: "cluster.webhook-duplicate", scope: "fleet", message: "inventory handed over something odd" }],
    });
    expect(fleetResult.coverage.checks.find((c) => c.checkId === "cluster.webhook-duplicate")).toMatchObject({ state: "none", reason: "check-failed" });
  });

  it("runs only the selected checks and families, and skips wins over include", () => {
    expect(selectChecks({ include: ["fic"] }).map((c) => c.id)).toEqual(CHECKS.filter((c) => c.id.startsWith("fic.")).map((c) => c.id));
    expect(selectChecks({ include: ["fic.*"], skip: ["fic.limit-near"] }).map((c) => c.id)).not.toContain("fic.limit-near");
    expect(selectChecks({ skip: ["scan"] }).some((c) => c.id.startsWith("scan."))).toBe(false);
    expect(selectChecks().length).toBe(CHECKS.length);
  });

  it("rejects a check id that is not in the catalog instead of running nothing", () => {
    expect(() => selectChecks({ include: ["sa.client-id-missin"] })).toThrow(UnknownCheckError);
    expect(() => selectChecks({ skip: ["nope"] })).toThrow(/nope/);
  });

  it("summarises which identities a cluster's workloads use, as plain JSON", () => {
    const s = snapshot();
    s.serviceAccounts.push(serviceAccount(NS, "idle-sa", { "azure.workload.identity/client-id": "99999999-9999-4999-8999-999999999999" }));
    s.workloads.push(workload("CronJob", "nightly", {}, { serviceAccountName: "default" }));
    const usage = summarizeClusterUsage(s, []);
    expect(usage).toEqual({ clusterId: s.cluster.id, clientIds: [CLIENT_ID], claimedCredentials: [], complete: true });
    expect(JSON.parse(JSON.stringify(usage))).toEqual(usage);
    const combined = combineUsage([usage, { ...usage, clusterId: "other" }, usage]);
    expect(combined.clustersByClientId.get(CLIENT_ID)).toEqual([s.cluster.id, "other"]);
  });

  it("hands the credentials a cluster's superseding findings report to the fleet checks, as plain JSON", () => {
    const fleet = healthyFleet();
    const stale = `https://eastus.oic.prod-aks.azure.com/${TENANT}/00000000-1111-4222-8333-444444444444/`;
    fleet.inventory.identities = [identity({ federatedCredentials: [credential({ issuer: stale })] })];
    const view = buildFleetView(fleet.inventory);
    const { findings } = runClusterChecks(view, first(fleet));
    const identityId = fleet.inventory.identities[0]!.id;
    // Only fic.issuer-mismatch supersedes a fleet check; other findings on the same credential claim nothing.
    expect(findings.map((f) => f.checkId)).toContain("fic.issuer-mismatch");
    expect(claimedCredentials(findings)).toEqual([`${identityId.toLowerCase()}|aks-prod-orders`]);
    const usage = summarizeClusterUsage(first(fleet), claimedCredentials(findings));
    expect(JSON.parse(JSON.stringify(usage))).toEqual(usage);
    expect(runFleetChecks(view, [usage]).findings.filter((f) => f.checkId === "fic.unknown-issuer")).toEqual([]);
    // A summary without claims (staged by an older version) claims nothing.
    const { claimedCredentials: _dropped, ...older } = usage;
    expect(runFleetChecks(view, [older]).findings.map((f) => f.checkId)).toContain("fic.unknown-issuer");
  });
});
