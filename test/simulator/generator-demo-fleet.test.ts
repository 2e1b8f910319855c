/**
 * The demo fleet (test/fleets/demo) and its answer key (expected-findings.json)
 * are hand-curated; these tests keep them loadable and consistent with each
 * other, and prove the fleet still holds the cases it exists to show.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CHECK_IDS } from "../../shared/findings/model.js";
import { loadFleet } from "../../simulator/fleet/load.js";
import type { FleetDescription, KubeObject } from "../../simulator/fleet/model.js";
import { DEMO_FLEET_DIR as DEMO, loadDemoAnswerKey, type DemoAnswerKey } from "../support/demo-answer-key.js";


let fleet: FleetDescription;
let expected: DemoAnswerKey;
beforeAll(async () => {
  fleet = await loadFleet(DEMO);
  expected = await loadDemoAnswerKey();
});

const objectsOf = (cluster: string): KubeObject[] => fleet.clusters.get(cluster) ?? [];
const find = (cluster: string, kind: string, namespace: string | undefined, name: string) =>
  objectsOf(cluster).find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);
const issuerOf = (cluster: string) =>
  (fleet.azure.managedClusters.find((c) => c.name === cluster)?.properties as { oidcIssuerProfile?: { issuerURL?: string } }).oidcIssuerProfile?.issuerURL ?? "";
const credentials = () =>
  Object.entries(fleet.azure.federatedIdentityCredentials).flatMap(([identityId, list]) =>
    list.map((c) => ({ identityId, name: c.name, ...(c.properties as { issuer: string; subject: string; audiences: string[] }) })),
  );

describe("the demo fleet", () => {
  it("loads and validates, across at least two subscriptions and four clusters", () => {
    expect(fleet.azure.subscriptions.length).toBeGreaterThanOrEqual(2);
    expect(fleet.azure.managedClusters.length).toBeGreaterThanOrEqual(4);
    const subscriptionsWithClusters = new Set(fleet.azure.managedClusters.map((c) => c.id.split("/")[2]));
    expect(subscriptionsWithClusters.size).toBeGreaterThanOrEqual(2);
  });

  it("expects every check of the catalog at least once (the live probe in its own list; scan.subscription-missing needs a scope naming a gone subscription: test/engine/demo-scan.test.ts)", () => {
    const expectedIds = new Set(expected.findings.map((f) => f.checkId));
    for (const id of CHECK_IDS.filter((c) => c !== "probe.token-exchange-failed" && c !== "scan.subscription-missing")) expect(expectedIds, id).toContain(id);
    expect(expected.probeFindings.findings.map((f) => f.checkId)).toContain("probe.token-exchange-failed");
    for (const f of [...expected.findings, ...expected.probeFindings.findings]) expect(CHECK_IDS).toContain(f.checkId);
  });

  it("names in every expected finding an object that exists in the fleet", () => {
    const clusterNames = new Set(fleet.azure.managedClusters.map((c) => c.name));
    const identityNames = new Set(fleet.azure.userAssignedIdentities.map((i) => i.name));
    for (const f of [...expected.findings, ...expected.probeFindings.findings]) {
      const label = `${f.checkId} ${f.kind} ${f.name}`;
      if (f.cluster !== undefined) expect(clusterNames, label).toContain(f.cluster);
      switch (f.kind) {
        case "ManagedCluster":
          expect(f.name, label).toBe(f.cluster);
          break;
        case "ManagedIdentity":
          expect(identityNames, label).toContain(f.name);
          break;
        case "FederatedCredential":
          expect(credentials().some((c) => c.name === f.name && c.identityId === f.identityId), label).toBe(true);
          break;
        case "RoleAssignment": {
          // Named "<role> at <scope>": an assignment at that scope to the identity's principal.
          const scope = f.name.split(" at ")[1];
          const principalId = (fleet.azure.userAssignedIdentities.find((i) => i.id.toLowerCase() === f.identityId?.toLowerCase())?.properties as { principalId?: string } | undefined)?.principalId;
          const assignments = fleet.azure.roleAssignments.map((r) => r.properties as { principalId: string; scope: string });
          expect(assignments.some((a) => a.scope === scope && a.principalId === principalId), label).toBe(true);
          break;
        }
        case "IdentityBinding": {
          // An ARM child of its cluster (azure.json identityBindings), for the identity the finding names.
          const cluster = fleet.azure.managedClusters.find((c) => c.name === f.cluster);
          const bindings = Object.entries(fleet.azure.identityBindings ?? {}).find(([id]) => id.toLowerCase() === cluster?.id.toLowerCase())?.[1] ?? [];
          const binding = bindings.find((b) => b.name === f.name);
          expect(binding?.properties.managedIdentity.resourceId.toLowerCase(), label).toBe(f.identityId?.toLowerCase());
          break;
        }
        case "Permission":
          // A permission the scanner lacks is not an object of the fleet; its cluster is checked above.
          break;
        default:
          expect(find(f.cluster ?? "", f.kind, f.namespace, f.name), label).toBeDefined();
      }
      if (f.credentialName !== undefined) expect(credentials().some((c) => c.name === f.credentialName), label).toBe(true);
    }
  });

  it("lists one finding per check and resource, and nothing on the clean clusters", () => {
    const keys = expected.findings.map((f) => [f.checkId, f.cluster, f.namespace, f.kind, f.name, f.credentialName].join("|"));
    expect(new Set(keys).size).toBe(keys.length);
    expect(expected.cleanClusters.length).toBeGreaterThanOrEqual(2);
    for (const clean of expected.cleanClusters) {
      expect(fleet.clusters.has(clean)).toBe(true);
      expect(expected.findings.filter((f) => f.cluster === clean)).toEqual([]);
    }
  });

  it("has a private cluster with no Kubernetes file, and a forbidden pods list on another", () => {
    const unreachable = fleet.azure.managedClusters.filter((c) => !fleet.clusters.has(c.name)).map((c) => c.name);
    expect(unreachable).toEqual(["data-ingest"]);
    expect(fleet.faults).toMatchObject({ rules: [{ family: "kubernetes", cluster: "analytics-batch", fault: "forbidden" }] });
  });

  it("holds pods in both projected-token layouts of the webhook", () => {
    const volumes = [...fleet.clusters.values()]
      .flat()
      .filter((o) => o.kind === "Pod")
      .flatMap((p) => (p.spec as { volumes: Array<{ name: string; projected?: { sources: Array<{ serviceAccountToken?: { audience?: string } }> } }> }).volumes)
      .filter((v) => v.projected?.sources.some((s) => s.serviceAccountToken?.audience === "api://AzureADTokenExchange"))
      .map((v) => v.name);
    expect(volumes).toContain("azure-identity-token");
    expect(volumes.some((v) => /^azure-workload-identity-reserved-[0-9a-f]+$/.test(v))).toBe(true);
  });

  it("has credentials whose issuer differs from a cluster's only by the trailing slash, and only by case", () => {
    const issuers = fleet.azure.managedClusters.map((c) => issuerOf(c.name)).filter((i) => i !== "");
    const found = credentials().map((c) => c.issuer);
    expect(found.some((i) => issuers.includes(`${i}/`))).toBe(true);
    expect(found.some((i) => !issuers.includes(i) && issuers.some((x) => x.toLowerCase() === i.toLowerCase()))).toBe(true);
  });

  it("has an identity with 18 or more federated credentials", () => {
    const counts = Object.values(fleet.azure.federatedIdentityCredentials).map((list) => list.length);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(18);
  });

  it("has a webhook deployment without a readyReplicas field, and the Helm webhook beside the add-on", () => {
    const webhook = find("ml-sandbox", "Deployment", "kube-system", "azure-wi-webhook-controller-manager");
    expect(webhook?.status).not.toHaveProperty("readyReplicas");
    expect(find("data-platform", "Deployment", "kube-system", "azure-wi-webhook-controller-manager")).toBeDefined();
    expect(find("data-platform", "Deployment", "azure-workload-identity-system", "azure-wi-webhook-controller-manager")).toBeDefined();
  });

  it("keeps log lines in the form kubectl logs --timestamps prints them, with the AADSTS codes the checks look for", () => {
    const lines = Object.values(fleet.logs).flat();
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z /);
    const text = lines.join("\n");
    expect(text).toContain("AADSTS70021:");
    expect(text).toContain("AADSTS700016:");
  });
});
