import { describe, expect, it } from "vitest";
import {
  CHECKS,
  UnknownCheckError,
  defineCheck,
  buildFleetView,
  combineUsage,
  runClusterChecks,
  runFleetChecks,
  selectChecks,
  summarizeClusterUsage,
} from "../../shared/checks/index.js";
import { clusterOidcIssuerDisabled } from "../../shared/checks/catalog/cluster-oidc-issuer-disabled.js";
import { clusterWebhookDuplicate } from "../../shared/checks/catalog/cluster-webhook-duplicate.js";
import { CLIENT_ID, NS, first, healthyFleet, serviceAccount, snapshot, workload } from "./builders.js";

describe("the check runner", () => {
  it("finds nothing on a cluster whose workload identity setup is right", () => {
    const fleet = healthyFleet();
    const view = buildFleetView(fleet.inventory);
    const cluster = runClusterChecks(view, first(fleet));
    const fleetResult = runFleetChecks(view, [summarizeClusterUsage(first(fleet))]);
    expect(cluster).toEqual({ findings: [], failures: [] });
    expect(fleetResult).toEqual({ findings: [], failures: [] });
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
    const fleetResult = runFleetChecks(view, [], {}, checks);
    expect(fleetResult).toEqual({
      findings: [],
      failures: [{ checkId: "cluster.webhook-duplicate", scope: "fleet", message: "inventory handed over something odd" }],
    });
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
    const usage = summarizeClusterUsage(s);
    expect(usage).toEqual({ clusterId: s.cluster.id, clientIds: [CLIENT_ID] });
    expect(JSON.parse(JSON.stringify(usage))).toEqual(usage);
    const combined = combineUsage([usage, { ...usage, clusterId: "other" }, usage]);
    expect(combined.clustersByClientId.get(CLIENT_ID)).toEqual([s.cluster.id, "other"]);
  });
});
