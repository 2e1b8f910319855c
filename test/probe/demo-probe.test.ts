/**
 * The live probe on the demo fleet, through the engine: the simulator's token
 * endpoint applies Entra's matching rules, the production clients talk to it,
 * and the probe's verdict on every service account must agree with the
 * static checks (test/fleets/demo/expected-findings.json, "probeFindings").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterSnapshot, ProbeResult } from "../../shared/cluster/index.js";
import { createAzureScanDependencies } from "../../shared/engine/azure-dependencies.js";
import { scanFleet, type ScanOutcome } from "../../shared/engine/index.js";
import type { Finding } from "../../shared/findings/index.js";
import type { Simulator } from "../../simulator/index.js";
import { DEMO_FLEET_DIR as DEMO_DIR, loadDemoAnswerKey, type ExpectedProbeFinding } from "../support/demo-answer-key.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";

/** Static checks whose finding on a service account predicts that its exchange fails. */
const PREDICTING_ON_SERVICE_ACCOUNT = ["sa.client-id-malformed", "sa.client-id-unknown", "sa.tenant-id-mismatch", "sa.no-matching-fic", "fic.issuer-mismatch"];

let sim: Simulator;
let expected: ExpectedProbeFinding[];
let outcome: ScanOutcome;
const snapshots: ClusterSnapshot[] = [];

beforeAll(async () => {
  expected = (await loadDemoAnswerKey()).probeFindings.findings;
  sim = await startFleetSimulator({ fleetDir: DEMO_DIR });
  const deps = createAzureScanDependencies(clientsFor(sim), {
    probeScopes: sim.fleet.azure.subscriptions.map((s) => s.subscriptionId),
    authorityHost: sim.authorityHost,
  });
  outcome = await scanFleet(
    {
      ...deps,
      // Only to look at what the checks were given; the snapshot itself is the engine's.
      snapshot: async (cluster) => {
        const snapshot = await deps.snapshot(cluster);
        snapshots.push(snapshot);
        return snapshot;
      },
    },
    { scope: { subscriptions: [], managementGroups: [], clusters: [] }, concurrency: 8, trigger: "demo" },
  );
}, 120_000);

afterAll(async () => {
  await sim?.close();
});

const keyOf = (cluster: string, namespace: string, name: string) => `${cluster} | ${namespace} | ${name}`;
const probeFindings = (): Finding[] => outcome.findings.filter((f) => f.checkId === "probe.token-exchange-failed");
const probeResults = (): Array<ProbeResult & { cluster: string }> =>
  snapshots.flatMap((s) => (s.probeResults ?? []).map((r) => ({ ...r, cluster: s.cluster.name })));

describe("the live token-exchange probe on the demo fleet", () => {
  it("reports exactly the service accounts the answer key lists as failing", () => {
    const found = probeFindings().map((f) => keyOf(f.resource.cluster ?? "", f.resource.namespace ?? "", f.resource.name)).sort();
    expect(found).toEqual(expected.map((e) => keyOf(e.cluster, e.namespace, e.name)).sort());
    for (const finding of probeFindings()) {
      expect(finding.severity).toBe("high");
      expect(finding.resource.kind).toBe("ServiceAccount");
      expect(finding.evidence.aadstsCode).toMatch(/^AADSTS\d+$/);
      expect(finding.evidence.meaning).toBeTypeOf("string");
      expect(finding.evidence.explainedBy).toBeTypeOf("string");
    }
  });

  it("decides every probed service account, none left in error", () => {
    expect(probeResults().length).toBeGreaterThan(20);
    expect(probeResults().filter((r) => r.outcome === "error")).toEqual([]);
  });

  it("agrees with the static checks on every service account it probed", () => {
    const staticFailures = new Set([
      ...outcome.findings
        .filter((f) => PREDICTING_ON_SERVICE_ACCOUNT.includes(f.checkId) && f.resource.kind === "ServiceAccount")
        .map((f) => keyOf(f.resource.cluster ?? "", f.resource.namespace ?? "", f.resource.name)),
      // binding.annotation-missing is reported on the workload; its evidence names the service account ("<ns>/<name>").
      ...outcome.findings
        .filter((f) => f.checkId === "binding.annotation-missing")
        .map((f) => keyOf(f.resource.cluster ?? "", ...(String(f.evidence.serviceAccount).split("/") as [string, string]))),
    ]);
    // fic.audience-missing is reported on the credential: the identity whose credential lacks the audience.
    const wrongAudience = new Set(outcome.findings.filter((f) => f.checkId === "fic.audience-missing").map((f) => f.resource.identityClientId?.toLowerCase()));
    const disagreements = probeResults().filter((r) => {
      const predicted = staticFailures.has(keyOf(r.cluster, r.namespace, r.serviceAccount)) || wrongAudience.has(r.clientId.toLowerCase());
      return predicted !== (r.outcome === "failed");
    });
    expect(disagreements).toEqual([]);
    for (const finding of probeFindings()) expect(finding.evidence.agreesWithStaticChecks, finding.resource.name).toBe(true);
  });

  it("names the check that explains each code Entra answered with", () => {
    const byName = new Map(probeFindings().map((f) => [`${f.resource.cluster}/${f.resource.name}`, f]));
    // Its subject is trusted for production's issuer only: Entra says "issuer", the static check says which credential is whose.
    expect(byName.get("payments-staging/payments-api")?.evidence).toMatchObject({ aadstsCode: "AADSTS700211", explainedBy: "sa.no-matching-fic", staticChecks: "sa.no-matching-fic" });
    expect(byName.get("payments-staging/settlement")?.evidence).toMatchObject({ aadstsCode: "AADSTS90002", explainedBy: "sa.tenant-id-mismatch" });
    expect(byName.get("payments-staging/statements")?.evidence).toMatchObject({ aadstsCode: "AADSTS700016", explainedBy: "sa.client-id-malformed" });
    expect(byName.get("checkout-prod/checkout-api")?.evidence).toMatchObject({ aadstsCode: "AADSTS700211", explainedBy: "fic.issuer-mismatch" });
    expect(byName.get("data-platform/feature-store")?.evidence).toMatchObject({ aadstsCode: "AADSTS700212", explainedBy: "fic.audience-missing" });
    expect(byName.get("checkout-prod/promotions")?.evidence).toMatchObject({ aadstsCode: "AADSTS700016", explainedBy: "sa.client-id-unknown" });
  });

  it("leaves clusters outside the probe's scope unprobed", async () => {
    const payments = sim.fleet.azure.subscriptions[0]!.subscriptionId;
    const deps = createAzureScanDependencies(clientsFor(sim), { probeScopes: [payments], authorityHost: sim.authorityHost });
    const inventory = await deps.inventory({ subscriptions: [], managementGroups: [], clusters: [] });
    const inScope = inventory.clusters.find((c) => c.subscriptionId === payments && c.name === "payments-staging")!;
    const outOfScope = inventory.clusters.find((c) => c.subscriptionId !== payments && c.name === "data-platform")!;
    expect((await deps.snapshot(inScope)).probeResults?.length).toBeGreaterThan(0);
    expect((await deps.snapshot(outOfScope)).probeResults).toBeUndefined();
    const off = createAzureScanDependencies(clientsFor(sim), { authorityHost: sim.authorityHost });
    await off.inventory({ subscriptions: [], managementGroups: [], clusters: [] });
    expect((await off.snapshot(inScope)).probeResults).toBeUndefined();
  });
});
