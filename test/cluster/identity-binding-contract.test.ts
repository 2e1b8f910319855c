/**
 * Contract tests for the identity-binding read: Azure's published examples
 * fed through the code that maps ARM's answer, and what a failed or outsized
 * read becomes. (The simulator's answers are compared with the same examples
 * in test/cluster/managed-identity-grants.test.ts, which runs the simulator.)
 *
 * examples/IdentityBindings_List.json and examples/IdentityBindings_Get.json
 * are copied byte for byte from Azure/azure-rest-api-specs,
 * specification/containerservice/resource-manager/Microsoft.ContainerService/aks/examples/2026-04-01/
 * (IdentityBindings_List.json at commit 6a526fd16925a34cb457a4dc12fe556058fcb24a,
 * IdentityBindings_Get.json at commit 7b4f7e5072ad5ff0d6e696850a4eddc00a62404a;
 * MIT licence).
 */
import { readFileSync } from "node:fs";
import type { IdentityBinding } from "@azure/arm-containerservice";
import { describe, expect, it } from "vitest";
import { identityBindingSummary, readIdentityBindings, type IdentityBindingSource } from "../../shared/cluster/index.js";
import { MAX_IDENTITY_BINDINGS } from "../../shared/cluster/identity-bindings.js";

const readExample = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./examples/${name}`, import.meta.url), "utf8")) as T;
type ListExample = { responses: { 200: { body: { value: IdentityBinding[] } } } };
type GetExample = { responses: { 200: { body: IdentityBinding } } };

const EXPECTED = {
  name: "identitybinding1",
  managedIdentityResourceId: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/identity1",
  clientId: "00000000-0000-0000-0000-000000000000",
  oidcIssuerUrl: "https://oidc-endpoint",
  provisioningState: "Succeeded",
};

/** ARM's pages as the SDK's paged iterator hands them over; `failure` is thrown after them. */
function source(items: IdentityBinding[], failure?: unknown): IdentityBindingSource {
  return {
    identityBindings: {
      listByManagedCluster: () =>
        (async function* () {
          yield* items;
          if (failure !== undefined) throw failure;
        })() as unknown as ReturnType<IdentityBindingSource["identityBindings"]["listByManagedCluster"]>,
    },
  };
}

const CLUSTER = { resourceGroup: "rg1", name: "clustername1" };

describe("identity bindings as Azure publishes them (2026-04-01)", () => {
  it("maps the list example's binding to the identity, issuer and state the checks read", () => {
    const [binding] = readExample<ListExample>("IdentityBindings_List.json").responses[200].body.value;
    expect(identityBindingSummary(binding!)).toEqual(EXPECTED);
  });

  it("maps the get example the same way", () => {
    expect(identityBindingSummary(readExample<GetExample>("IdentityBindings_Get.json").responses[200].body)).toEqual(EXPECTED);
  });
});

describe("reading a cluster's identity bindings", () => {
  const example = readExample<ListExample>("IdentityBindings_List.json").responses[200].body.value[0]!;

  it("keeps every binding, sorted by name", async () => {
    const result = await readIdentityBindings(CLUSTER, source([{ ...example, name: "b" }, { ...example, name: "a" }]));
    expect("bindings" in result && result.bindings.map((b) => b.name)).toEqual(["a", "b"]);
  });

  it("keeps nothing of a list longer than the bound, and says so (never a shorter list read as complete)", async () => {
    const result = await readIdentityBindings(CLUSTER, source(Array.from({ length: MAX_IDENTITY_BINDINGS + 1 }, (_, i) => ({ ...example, name: `b${i}` }))));
    expect(result).toEqual({ error: expect.objectContaining({ kind: "error", resource: "Microsoft.ContainerService/managedClusters/identityBindings", message: expect.stringContaining("more than 1000") }) });
  });

  it("refuses a binding with a value longer than any ARM name, rather than keep it cut", async () => {
    const result = await readIdentityBindings(CLUSTER, source([{ ...example, name: "x".repeat(300) }]));
    expect("error" in result && result.error.kind).toBe("error");
  });

  it("turns a refusal into forbidden (scan.forbidden names the permission) and a 404 into an error with ARM's code", async () => {
    const refused = await readIdentityBindings(CLUSTER, source([], Object.assign(new Error("The client does not have authorization"), { statusCode: 403, code: "AuthorizationFailed" })));
    expect(refused).toEqual({ error: expect.objectContaining({ kind: "forbidden", verb: "read", httpStatus: 403 }) });
    const absent = await readIdentityBindings(CLUSTER, source([example], Object.assign(new Error("No registered resource provider found"), { statusCode: 404, code: "NoRegisteredProviderFound" })));
    expect(absent).toEqual({ error: expect.objectContaining({ kind: "error", httpStatus: 404, message: expect.stringContaining("NoRegisteredProviderFound") }) });
  });

  it("never calls an ARM transport failure 'unreachable': that kind speaks of the cluster's API server", async () => {
    const result = await readIdentityBindings(CLUSTER, source([], Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })));
    expect(result).toEqual({ error: expect.objectContaining({ kind: "error", message: expect.stringContaining("ARM could not be reached") }) });
  });
});
