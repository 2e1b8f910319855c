import { fileURLToPath } from "node:url";
import type { V1Pod, V1ServiceAccount } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  isWorkloadIdentityServiceAccount,
  podBytesMayTouchWorkloadIdentity,
  podSummary,
  podTouchesWorkloadIdentity,
  serviceAccountKey,
  serviceAccountSummary,
} from "../../shared/cluster/summarize.js";
import { loadFleet } from "../../simulator/fleet/load.js";
import type { KubeObject } from "../../simulator/fleet/model.js";
import { generateFleet } from "../../simulator/generator/index.js";
import { generateHostileFleet } from "../../simulator/generator/hostile.js";

const fleetDir = (name: string) => fileURLToPath(new URL(`../fleets/${name}`, import.meta.url));

/** Per pod: does the parsed pod touch workload identity, and does the unparsed filter let it through. */
function verdicts(objects: readonly KubeObject[]): Array<{ pod: string; touches: boolean; mayTouch: boolean }> {
  const accounts = objects.filter((o) => o.kind === "ServiceAccount").map((o) => serviceAccountSummary(o as V1ServiceAccount)).filter(isWorkloadIdentityServiceAccount);
  const keys = new Set(accounts.map((a) => serviceAccountKey(a.namespace, a.name)));
  const names = new Set(accounts.map((a) => a.name));
  return objects
    .filter((o) => o.kind === "Pod")
    .map((pod) => ({
      pod: `${pod.metadata.namespace}/${pod.metadata.name}`,
      touches: podTouchesWorkloadIdentity(podSummary(pod as V1Pod), keys),
      mayTouch: podBytesMayTouchWorkloadIdentity(Buffer.from(JSON.stringify(pod)), names),
    }));
}

describe("the unparsed pod filter", () => {
  it("lets through every pod that touches workload identity, in every test fleet, and skips most of the others", async () => {
    const fleets = [
      ...(await Promise.all(["demo", "mini", "k8s-mini"].map((name) => loadFleet(fleetDir(name))))),
      generateFleet({ clusters: 12, subscriptions: 2, serviceAccountsPerCluster: 30, podsPerCluster: 150, workloadIdentityPodsPerCluster: 10, identitiesPerCluster: 2, misconfigurationRate: 1, seed: 5 }),
      generateHostileFleet().fleet,
    ];
    const all = fleets.flatMap((fleet) => [...fleet.clusters.values()].flatMap(verdicts));
    expect(all.filter((v) => v.touches && !v.mayTouch).map((v) => v.pod)).toEqual([]);
    const others = all.filter((v) => !v.touches);
    expect(others.filter((v) => !v.mayTouch).length / others.length).toBeGreaterThan(0.9);
  });

  it("is not misled by an annotation called serviceAccountName, or by the deprecated serviceAccount field", () => {
    const decoy = { metadata: { name: "p", namespace: "ns", annotations: { serviceAccountName: "harmless" } }, spec: { serviceAccountName: "wi-sa", containers: [{ name: "c" }] } };
    expect(podBytesMayTouchWorkloadIdentity(Buffer.from(JSON.stringify(decoy)), new Set(["wi-sa"]))).toBe(true);
    const deprecated = { metadata: { name: "p", namespace: "ns" }, spec: { serviceAccount: "wi-sa", containers: [{ name: "c" }] } };
    expect(podBytesMayTouchWorkloadIdentity(Buffer.from(JSON.stringify(deprecated)), new Set(["wi-sa"]))).toBe(true);
    expect(podBytesMayTouchWorkloadIdentity(Buffer.from(JSON.stringify(deprecated)), new Set(["default"]))).toBe(false);
  });

  it("parses a pod that names no service account when its namespace's default account uses workload identity", () => {
    const pod = { metadata: { name: "p", namespace: "ns" }, spec: { containers: [{ name: "c" }] } };
    expect(podBytesMayTouchWorkloadIdentity(Buffer.from(JSON.stringify(pod)), new Set(["default"]))).toBe(true);
    expect(podBytesMayTouchWorkloadIdentity(Buffer.from(JSON.stringify(pod)), new Set(["other"]))).toBe(false);
  });
});
