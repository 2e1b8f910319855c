import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FleetValidationError, loadFleet, validateFleet } from "../../simulator/fleet/load.js";
import { MINI_FLEET_DIR } from "../support/simulator.js";

/** A copy of the mini fleet with azure.json edited by `edit`. */
async function editedFleet(edit: (azure: Record<string, any>) => void, extraFiles: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "fleet-"));
  await cp(MINI_FLEET_DIR, dir, { recursive: true });
  const azure = JSON.parse(await readFile(join(dir, "azure.json"), "utf8")) as Record<string, any>;
  edit(azure);
  await writeFile(join(dir, "azure.json"), JSON.stringify(azure, null, 2));
  for (const [file, text] of Object.entries(extraFiles)) await writeFile(join(dir, file), text);
  return dir;
}

async function problemsOf(dir: string) {
  try {
    await loadFleet(dir);
  } catch (error) {
    if (error instanceof FleetValidationError) return error.problems;
    throw error;
  }
  throw new Error("the fleet loaded without problems");
}

describe("loadFleet", () => {
  it("loads the mini fleet with its clusters", async () => {
    const fleet = await loadFleet(MINI_FLEET_DIR);
    expect(fleet.azure.managedClusters).toHaveLength(5);
    expect([...fleet.clusters.keys()].sort()).toEqual(["checkout-aks", "payments-aks", "platform-aks", "sandbox-aks"]);
    expect(fleet.clusters.get("payments-aks")?.map((o) => o.kind)).toEqual(["Namespace", "ServiceAccount", "Pod"]);
    expect(fleet.logs).toEqual({});
  });

  it("names the file, object and field of a wrong value", async () => {
    const dir = await editedFleet((azure) => {
      azure.managedClusters[0].properties.oidcIssuerProfile.issuerURL = 42;
    });
    expect(await problemsOf(dir)).toEqual([
      { file: "azure.json", object: 'managedClusters[0] "payments-aks"', field: "properties.oidcIssuerProfile.issuerURL", problem: "must be a string (got 42)" },
    ]);
  });

  it("reports every problem at once", async () => {
    const dir = await editedFleet((azure) => {
      delete azure.userAssignedIdentities[1].properties.clientId;
      azure.subscriptions[0].subscriptionId = "not-a-guid";
    });
    const problems = await problemsOf(dir);
    expect(problems).toContainEqual(expect.objectContaining({ object: "subscriptions[0]", field: "subscriptionId", problem: 'must be a GUID (got "not-a-guid")' }));
    expect(problems).toContainEqual(expect.objectContaining({ object: 'userAssignedIdentities[1] "checkout-id"', field: "properties.clientId", problem: "is required (a GUID)" }));
  });

  it("refuses a resource in a subscription the fleet does not list", async () => {
    const dir = await editedFleet((azure) => {
      azure.subscriptions.pop();
    });
    const problems = await problemsOf(dir);
    expect(problems).toContainEqual(expect.objectContaining({ object: 'managedClusters[3] "platform-aks"', field: "id", problem: expect.stringContaining("not in subscriptions") }));
  });

  it("refuses federated credentials keyed by an id that differs from the identity's only in case", async () => {
    const dir = await editedFleet((azure) => {
      const [key, value] = Object.entries(azure.federatedIdentityCredentials)[0] as [string, unknown];
      delete azure.federatedIdentityCredentials[key];
      azure.federatedIdentityCredentials[key.replace("resourceGroups", "resourcegroups")] = value;
    });
    const problems = await problemsOf(dir);
    expect(problems[0]?.field).toMatch(/^federatedIdentityCredentials\[".*resourcegroups.*"\]$/);
    expect(problems[0]?.problem).toMatch(/exactly as the identity's id/);
  });

  it("refuses identity bindings of an unknown cluster or identity, a name used twice and a state ARM does not report", async () => {
    let cluster = "";
    const dir = await editedFleet((azure) => {
      cluster = azure.managedClusters[0].id as string;
      const identity = azure.userAssignedIdentities[0].id as string;
      azure.identityBindings = {
        [cluster]: [
          { name: "ib", properties: { managedIdentity: { resourceId: identity } } },
          { name: "IB", properties: { managedIdentity: { resourceId: `${identity}-gone` }, provisioningState: "Broken" } },
        ],
        [cluster.toUpperCase()]: [],
      };
    });
    expect((await problemsOf(dir)).map((p) => `${p.object}: ${p.field}`)).toEqual([
      `identityBindings["${cluster}"][1] "IB": name`,
      `identityBindings["${cluster}"][1] "IB": properties.managedIdentity.resourceId`,
      `identityBindings["${cluster}"][1] "IB": properties.provisioningState`,
      `(root): identityBindings["${cluster.toUpperCase()}"]`,
    ]);
  });

  it("refuses a cluster file that names no managed cluster", async () => {
    const dir = await editedFleet(() => {}, {});
    await writeFile(join(dir, "clusters", "ghost-aks.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n");
    expect(await problemsOf(dir)).toEqual([expect.objectContaining({ file: "clusters/ghost-aks.yaml", object: "(file)", problem: expect.stringContaining("names no managed cluster") })]);
  });

  it("names the document of a Kubernetes object without a name", async () => {
    const dir = await editedFleet(() => {});
    await writeFile(join(dir, "clusters", "sandbox-aks.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  namespace: a\n");
    expect(await problemsOf(dir)).toEqual([{ file: "clusters/sandbox-aks.yaml", object: "document 2 (ServiceAccount)", field: "metadata.name", problem: "is required" }]);
  });

  it("names invalid JSON and invalid YAML by file", async () => {
    const dir = await editedFleet(() => {}, { "logs.json": "{ nope" });
    await writeFile(join(dir, "clusters", "sandbox-aks.yaml"), "a: [1, 2\n");
    const problems = await problemsOf(dir);
    expect(problems).toContainEqual(expect.objectContaining({ file: "logs.json", field: "(json)" }));
    expect(problems).toContainEqual(expect.objectContaining({ file: "clusters/sandbox-aks.yaml", object: "document 1", field: "(yaml)" }));
  });

  it("names the rule and field of an invalid fault", async () => {
    const faults = JSON.stringify({ rules: [{ family: "arm", fault: "status" }, { family: "kubernetes", cluster: "ghost", fault: "unreachable" }] });
    const dir = await editedFleet(() => {}, { "faults.json": faults });
    const problems = await problemsOf(dir);
    expect(problems).toContainEqual({ file: "faults.json", object: "rules[0]", field: "status", problem: expect.stringContaining("required") });
    expect(problems).toContainEqual({ file: "faults.json", object: "rules[1]", field: "cluster", problem: 'names no managed cluster "ghost"' });
  });

  it("validates an in-memory fleet too", async () => {
    const fleet = await loadFleet(MINI_FLEET_DIR);
    fleet.source = "generated";
    fleet.logs = { "payments-aks/payments/pod": ["line"] };
    expect(() => validateFleet(fleet)).toThrowError(/logs\.json: "payments-aks\/payments\/pod": \(key\): must have the form/);
  });
});
