/**
 * The scanner's Kubernetes permissions against what the collector really
 * asks for. The real collector (shared/cluster) reads clusters of the fleet
 * simulator through a recording proxy; every request it sends must be granted
 * by the in-cluster ClusterRole (infra/kubernetes/scanner-reader.yaml) and by
 * the custom Azure role's data actions (infra/roles/kubernetes-reader.json,
 * which the Bicep templates load), and neither may grant more than is used.
 * A new read in the collector without a grant fails here.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { collectClusterSnapshot, resolveClusterAccess, type ClusterAccess, type ClusterSnapshot } from "../../shared/cluster/index.js";
import { MINI_FLEET_CLUSTERS } from "../simulator/kubernetes/fleets.js";
import { loadFleet, type FleetDescription, type Simulator } from "../../simulator/index.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";
import {
  azureDataActionFor,
  dataActionsAllow,
  requestOf,
  resourcePath,
  ruleAllows,
  type KubernetesRequest,
  type PolicyRule,
} from "./kubernetes-authorization.js";
import { startRecordingProxy, type RecordingProxy } from "./recording-proxy.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

const FLEET_DIR = fileURLToPath(new URL("../fleets/k8s-mini", import.meta.url));

interface KubernetesObject {
  kind?: string;
  metadata?: { name?: string };
  rules?: PolicyRule[];
  roleRef?: { kind?: string; name?: string; apiGroup?: string };
  subjects?: Array<{ kind?: string; name?: string; apiGroup?: string }>;
}

interface CustomRole {
  roleName: string;
  actions: string[];
  dataActions: string[];
}

function manifests(path: string): KubernetesObject[] {
  return parseAllDocuments(read(path)).map((document) => document.toJS() as KubernetesObject);
}

function clusterRole(objects: KubernetesObject[], name: string): PolicyRule[] {
  const role = objects.find((o) => o.kind === "ClusterRole" && o.metadata?.name === name);
  if (!role?.rules) throw new Error(`no ClusterRole ${name}`);
  return role.rules;
}

const readerManifests = manifests("infra/kubernetes/scanner-reader.yaml");
const probeManifests = manifests("infra/kubernetes/probe.yaml");
const readerRules = clusterRole(readerManifests, "wiscan-reader");
const probeRules = clusterRole(probeManifests, "wiscan-token-requester");
const kubernetesReader = JSON.parse(read("infra/roles/kubernetes-reader.json")) as CustomRole;
const tokenRequester = JSON.parse(read("infra/roles/kubernetes-token-requester.json")) as CustomRole;


/** Reached with its cluster-user credential's static token. */
const localAccountsCluster = MINI_FLEET_CLUSTERS.shop;
/** Entra ID with Azure RBAC; listing Deployments is refused there, so the collector's fallback reads run too. */
const entraCluster = MINI_FLEET_CLUSTERS.entra;

/** Every (group, resource[/subresource], verb) a set of rules grants, spelled "group|resource|verb". */
function grantedTriples(rules: readonly PolicyRule[]): string[] {
  return rules.flatMap((rule) =>
    (rule.apiGroups ?? []).flatMap((group) => (rule.resources ?? []).flatMap((resource) => rule.verbs.map((verb) => `${group}|${resource}|${verb}`))),
  );
}

const permissionsDoc = read("docs/permissions.md");
/** The anchor docs/permissions.md gives a Kubernetes request: scan.forbidden links to it. */
const anchorOf = (request: KubernetesRequest) => `kubernetes-${resourcePath(request)}-${request.verb}`.toLowerCase().replace(/[^a-z0-9]+/g, "-");
const hasAnchor = (anchor: string) => permissionsDoc.includes(`<a id="${anchor}"></a>`);

const tripleOf = (request: KubernetesRequest) => `${request.group}|${resourcePath(request)}|${request.verb}`;
const describeRequest = (request: KubernetesRequest) => `${request.verb} ${request.group || "core"}/${resourcePath(request)}`;

/** One labelled pod opts in to AKS identity bindings, so that the RBAC lists read only then are exercised too. */
function withIdentityBindingPod(fleet: FleetDescription, cluster: string): FleetDescription {
  const pod = fleet.clusters.get(cluster)?.find((o) => o.kind === "Pod" && o.metadata.labels?.["azure.workload.identity/use"] === "true");
  if (!pod) throw new Error(`no labelled pod in ${cluster}`);
  pod.metadata.annotations = { ...pod.metadata.annotations, "azure.workload.identity/use-identity-binding": "true" };
  return fleet;
}

let sim: Simulator;
let proxy: RecordingProxy;
const snapshots: ClusterSnapshot[] = [];
let requests: KubernetesRequest[] = [];

beforeAll(async () => {
  sim = await startFleetSimulator({
    fleet: withIdentityBindingPod(await loadFleet(FLEET_DIR), localAccountsCluster.name),
    kubernetes: { forbidden: [{ cluster: entraCluster.name, resource: "deployments", verb: "list" }] },
  });
  proxy = await startRecordingProxy(new URL(sim.kubernetesEndpoint).origin, sim.caPem);
  const clients = clientsFor(sim);

  for (const cluster of [localAccountsCluster, entraCluster]) {
    const result = await resolveClusterAccess(cluster, { containerService: clients.containerService(cluster.subscriptionId), credential: clients.credential });
    if (!result.ok) throw new Error(`no access to ${cluster.name}: ${result.error.message}`);
    const throughProxy: ClusterAccess = {
      ...result.access,
      server: result.access.server.replace(new URL(sim.kubernetesEndpoint).origin, proxy.origin),
      caData: proxy.caData,
    };
    snapshots.push(await collectClusterSnapshot(cluster, throughProxy, { now: new Date("2026-11-29T12:00:00Z"), pageSize: 2, logPodsPerOwner: 2 }));
  }
  requests = proxy.requests.map((r) => requestOf(r.method, r.url.replace(/^\/clusters\/[^/?]+/, "")));
});

afterAll(async () => {
  await proxy?.close();
  await sim?.close();
});

describe("the scanner's Kubernetes read permissions", () => {
  it("are exercised by a full collection, including log reads and the webhook fallback", () => {
    const [local, entra] = snapshots;
    expect(local?.errors).toEqual([]);
    expect(local?.logEvidence.length).toBeGreaterThan(0);
    expect(entra?.errors.map((e) => `${e.kind} ${e.verb} ${e.resource}`)).toEqual(["forbidden list deployments"]);
    expect(requests.length).toBeGreaterThan(10);
  });

  it("cover every request the collector sends, in the in-cluster ClusterRole", () => {
    const refused = requests.filter((request) => !readerRules.some((rule) => ruleAllows(rule, request)));
    expect([...new Set(refused.map(describeRequest))], "add these to infra/kubernetes/scanner-reader.yaml").toEqual([]);
  });

  it("cover every request the collector sends, in the custom Azure role's data actions", () => {
    const refused = requests.filter((request) => !dataActionsAllow(kubernetesReader.dataActions, azureDataActionFor(request)));
    expect([...new Set(refused.map(azureDataActionFor))], "add these to infra/roles/kubernetes-reader.json").toEqual([]);
  });

  it("grant nothing the collector does not use", () => {
    const used = new Set(requests.map(tripleOf));
    expect(grantedTriples(readerRules).filter((triple) => !used.has(triple)), "unused in infra/kubernetes/scanner-reader.yaml").toEqual([]);
    const usedActions = new Set(requests.map(azureDataActionFor));
    expect(kubernetesReader.dataActions.filter((action) => !usedActions.has(action)), "unused in infra/roles/kubernetes-reader.json").toEqual([]);
    expect(kubernetesReader.actions).toEqual([]);
  });

  it("allow reads only", () => {
    expect([...new Set(requests.map((r) => r.verb))].filter((verb) => verb !== "get" && verb !== "list")).toEqual([]);
    expect(readerRules.flatMap((rule) => rule.verbs).filter((verb) => verb !== "get" && verb !== "list")).toEqual([]);
    expect(kubernetesReader.dataActions.filter((action) => !action.endsWith("/read"))).toEqual([]);
    expect(grantedTriples(readerRules).filter((triple) => triple.includes("secrets") || triple.includes("configmaps"))).toEqual([]);
  });

  it("each have their line in docs/permissions.md, for scan.forbidden to link to", () => {
    expect([...new Set(requests.map(anchorOf))].filter((anchor) => !hasAnchor(anchor))).toEqual([]);
  });

  it("bind the ClusterRole to the scanner's object id, substituted by apply.sh", () => {
    const binding = readerManifests.find((o) => o.kind === "ClusterRoleBinding");
    expect(binding?.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "wiscan-reader" });
    expect(binding?.subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "SCANNER_OBJECT_ID" }]);
    expect(read("infra/kubernetes/apply.sh")).toContain('sed "s/SCANNER_OBJECT_ID/${object_id}/g"');
  });

  it("are the data actions both Bicep templates define the custom role with", () => {
    for (const template of ["infra/modules/scanner-role-definitions.bicep", "infra/access/management-group.bicep"]) {
      const text = read(template);
      expect(text, template).toContain("var kubernetesReader = loadJsonContent('../roles/kubernetes-reader.json')");
      expect(text, template).toContain("dataActions: kubernetesReader.dataActions");
    }
  });
});

describe("the probe's token-request permission", () => {
  // The opt-in probe is not part of the collector yet, so its one request is
  // spelled out here: TokenRequest for a service account.
  const tokenRequest = requestOf("POST", "/api/v1/namespaces/shop/serviceaccounts/orders/token");

  it("is granted by the probe ClusterRole and the token requester role, and by nothing else", () => {
    expect(tokenRequest).toMatchObject({ verb: "create", group: "", resource: "serviceaccounts", subresource: "token" });
    expect(grantedTriples(probeRules)).toEqual([tripleOf(tokenRequest)]);
    expect(tokenRequester.dataActions).toEqual([azureDataActionFor(tokenRequest)]);
    expect(readerRules.some((rule) => ruleAllows(rule, tokenRequest))).toBe(false);
    expect(dataActionsAllow(kubernetesReader.dataActions, azureDataActionFor(tokenRequest))).toBe(false);
  });

  it("has its line in docs/permissions.md", () => {
    expect(anchorOf(tokenRequest)).toBe("kubernetes-serviceaccounts-token-create");
    expect(hasAnchor(anchorOf(tokenRequest))).toBe(true);
  });

  it("is bound to the scanner's object id only through probe.yaml", () => {
    const binding = probeManifests.find((o) => o.kind === "ClusterRoleBinding");
    expect(binding?.roleRef?.name).toBe("wiscan-token-requester");
    expect(binding?.subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "SCANNER_OBJECT_ID" }]);
  });
});
