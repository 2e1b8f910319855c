/**
 * AKS identity bindings (azure-aks-docs articles/aks/identity-bindings.md):
 * the AKS-managed credential `aks-identity-binding` and pods that opt in with
 * azure.workload.identity/use-identity-binding: "true" are their own mode.
 * The binding's token audience is not documented: the tests use a stand-in,
 * and no check reads it. Bindings themselves are the cluster's ARM children
 * (managedClusters/identityBindings), in the snapshot as collection keeps them.
 */
import { describe, expect, it } from "vitest";
import type { IdentityBindingSummary, ManagedIdentityGrant } from "../../shared/cluster/model.js";
import type { FederatedCredential } from "../../shared/inventory/model.js";
import { credentialTrust } from "../../shared/inventory/credential-trust.js";
import { CLIENT_ID, NS, SA, TENANT, credential, first, fires, identity, inventory, mutatedContainers, only, pod, quiet, snapshot, workload, type TestFleet } from "./builders.js";

const BINDING_ISSUER = `https://ib.oic.prod-aks.azure.com/${TENANT}/${CLIENT_ID}`;
const BINDING_AUDIENCE = "stand-in-binding-audience";
const OPT_IN = { "azure.workload.identity/use-identity-binding": "true" };

function bindingCredential(overrides: Partial<FederatedCredential> = {}): FederatedCredential {
  return { name: "aks-identity-binding", issuer: BINDING_ISSUER, trust: { kind: "identity-binding" }, audiences: [BINDING_AUDIENCE], ...overrides };
}

/** A pod the webhook mutated in identity-binding mode (webhook.go addEnvironmentVariables, addProjectedVolume). */
function bindingPod(overrides = {}) {
  return pod({
    annotations: OPT_IN,
    containers: mutatedContainers().map((c) => ({
      ...c,
      env: { ...c.env, AZURE_KUBERNETES_TOKEN_PROXY: "https://10.0.0.1:443", AZURE_KUBERNETES_SNI_NAME: "proxy.aks", AZURE_KUBERNETES_CA_FILE: "/var/run/secrets/azure/wi/ca-cert/ca.crt" },
    })),
    projectedTokenVolumes: [{ volumeName: "azure-workload-identity-reserved-6f1c2", audience: BINDING_AUDIENCE, expirationSeconds: 3600, path: "token/azure-identity-token" }],
    ...overrides,
  });
}

/** This cluster's identity binding of the test identity, as collection keeps it from ARM. */
function clusterBindingOf(overrides: Partial<IdentityBindingSummary> = {}): IdentityBindingSummary {
  return {
    name: "id-orders-ib",
    managedIdentityResourceId: identity().id,
    clientId: CLIENT_ID.toLowerCase(),
    oidcIssuerUrl: BINDING_ISSUER,
    provisioningState: "Succeeded",
    ...overrides,
  };
}

/** The doc's ClusterRole and ClusterRoleBinding: `use-managed-identity` on the identity's client id, bound to the service account. */
function docGrant(subjects: ManagedIdentityGrant["subjects"] = [{ kind: "ServiceAccount", name: SA, namespace: NS }]): ManagedIdentityGrant {
  return { binding: `use-mi-${CLIENT_ID}`, role: `use-mi-${CLIENT_ID}`, clientIds: [CLIENT_ID.toLowerCase()], subjects };
}

/** One identity whose only credential is the binding's; its workload opts in, and its service account may use the identity. */
function bindingFleet(): TestFleet {
  const s = snapshot({
    managedIdentityGrants: [docGrant()],
    identityBindings: [clusterBindingOf()],
    pods: [bindingPod()],
    workloads: [
      workload("Deployment", "orders-api", {}, { annotations: OPT_IN }),
      workload("ReplicaSet", "orders-api-7d9f8b6c5", { owner: { kind: "Deployment", name: "orders-api" } }, { annotations: OPT_IN }),
    ],
  });
  return { inventory: inventory({ identities: [identity({ federatedCredentials: [bindingCredential()] })] }), snapshots: [s] };
}

describe("recognising the AKS-managed credential", () => {
  it("parses it by its issuer, whatever its subject", () => {
    expect(credentialTrust("anything", undefined, BINDING_ISSUER)).toEqual({ kind: "identity-binding" });
    expect(credentialTrust("system:serviceaccount:a:b", undefined, "https://ib.oic.prod-aks.azure.us/t/c/")).toEqual({ kind: "identity-binding" });
    expect(credentialTrust("system:serviceaccount:a:b", undefined, "https://eastus.oic.prod-aks.azure.com/t/c/")).toEqual({ kind: "exact", subject: "system:serviceaccount:a:b" });
  });
});

describe("a working identity-binding workload", () => {
  it("gets none of the default-mode findings (audience, issuer, not mutated, no credential)", () => {
    const fleet = bindingFleet();
    for (const id of ["fic.audience-missing", "fic.issuer-mismatch", "fic.unknown-issuer", "fic.subject-malformed", "fic.dangling", "pod.not-mutated", "sa.no-matching-fic", "binding.credential-missing", "binding.annotation-missing", "binding.role-missing", "binding.not-ready", "binding.credential-deleted", "pod.client-id-overridden"] as const) {
      quiet(id, fleet);
    }
  });

  it("is still reported when the webhook did not mutate it in binding mode (judged by the binding's rules)", () => {
    const fleet = bindingFleet();
    // A pod mutated the default way although it opts in: no token proxy, default audience.
    first(fleet).pods = [pod({ annotations: OPT_IN })];
    expect(only(fires("pod.not-mutated", fleet)).evidence.identityBinding).toBe(true);
  });
});

describe("binding.credential-missing", () => {
  it("reports pods that opt in while their identity has no identity binding, with the doc's command", () => {
    const fleet = bindingFleet();
    fleet.inventory = inventory({ identities: [identity({ federatedCredentials: [credential()] })] });
    first(fleet).identityBindings = [];
    const f = only(fires("binding.credential-missing", fleet));
    expect(f.resource).toMatchObject({ kind: "ServiceAccount", namespace: NS, name: SA, identityClientId: CLIENT_ID });
    expect(f.remediation.command).toContain("az aks identity-binding create");
    expect(f.remediation.command).toContain("--managed-identity-resource-id");
    expect(f.evidence.aksIdentityBindingCredential).toBe("absent");
  });

  it("reports an identity bound to other clusters (its aks-identity-binding credential exists) but not to this one", () => {
    const fleet = bindingFleet();
    first(fleet).identityBindings = [clusterBindingOf({ name: "id-billing-ib", managedIdentityResourceId: identity({ name: "id-billing" }).id, clientId: "0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a" })];
    const f = only(fires("binding.credential-missing", fleet));
    expect(f.title).toContain("on this cluster");
    expect(f.evidence).toMatchObject({ aksIdentityBindingCredential: "present", identityBindingsOnCluster: "id-billing-ib" });
    expect(f.remediation.command).toContain(`--cluster-name ${first(fleet).cluster.name}`);
    // The binding is the first thing to fix; the role comes after.
    quiet("binding.role-missing", fleet);
  });

  it("finds the identity's binding by its resource id in any case, or by its client id", () => {
    const upper = bindingFleet();
    first(upper).identityBindings = [clusterBindingOf({ managedIdentityResourceId: identity().id.toUpperCase(), clientId: undefined })];
    quiet("binding.credential-missing", upper);
    const byClientId = bindingFleet();
    first(byClientId).identityBindings = [clusterBindingOf({ managedIdentityResourceId: "/subscriptions/x/resourceGroups/moved/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders" })];
    quiet("binding.credential-missing", byClientId);
  });

  it("stays quiet when the cluster's identity bindings could not be read (a gap, not an absence), while the role is still judged", () => {
    const fleet = bindingFleet();
    delete first(fleet).identityBindings;
    first(fleet).managedIdentityGrants = [];
    quiet("binding.credential-missing", fleet);
    quiet("binding.credential-deleted", fleet);
    quiet("binding.not-ready", fleet);
    // The grants were read and the identity's credential shows some binding exists: the missing role is still a fact.
    only(fires("binding.role-missing", fleet));
  });

  it("stays quiet when the identity's credentials could not be read", () => {
    const fleet = bindingFleet();
    fleet.inventory = inventory({ identities: [identity({ federatedCredentials: [], federatedCredentialsKnown: false })] });
    quiet("binding.credential-missing", fleet);
  });
});

describe("binding.credential-deleted", () => {
  it("reports a provisioned binding whose identity lost its aks-identity-binding credential, once per binding, with delete and create of the binding", () => {
    const fleet = bindingFleet();
    fleet.inventory = inventory({ identities: [identity({ federatedCredentials: [credential({ name: "unrelated", subject: "system:serviceaccount:other:sa" })] })] });
    const f = only(fires("binding.credential-deleted", fleet));
    expect(f.resource).toMatchObject({ kind: "IdentityBinding", name: "id-orders-ib", identityClientId: CLIENT_ID });
    expect(f.evidence).toMatchObject({ identityBinding: "id-orders-ib", serviceAccounts: `${NS}/${SA}`, missingCredential: "aks-identity-binding" });
    expect(f.remediation.command).toMatch(/az aks identity-binding delete .*--name id-orders-ib\naz aks identity-binding create .*--managed-identity-resource-id/);
    // Never advise writing the AKS-managed credential by hand.
    expect(f.remediation.command).not.toContain("federated-credential");
    quiet("binding.credential-missing", fleet);
    quiet("binding.role-missing", fleet);
  });
});

describe("binding.not-ready", () => {
  it("reports a binding that failed as not working (medium, with its state), never as missing", () => {
    const fleet = bindingFleet();
    first(fleet).identityBindings = [clusterBindingOf({ provisioningState: "Failed" })];
    const f = only(fires("binding.not-ready", fleet));
    expect(f.severity).toBe("medium");
    expect(f.title).toBe("The identity binding id-orders-ib of id-orders is Failed, not Succeeded");
    expect(f.evidence.provisioningState).toBe("Failed");
    for (const id of ["binding.credential-missing", "binding.credential-deleted", "binding.role-missing"] as const) quiet(id, fleet);
  });

  it("is only information while AKS is still creating the binding", () => {
    const fleet = bindingFleet();
    first(fleet).identityBindings = [clusterBindingOf({ provisioningState: "Creating" })];
    const f = only(fires("binding.not-ready", fleet));
    expect(f.severity).toBe("info");
    expect(f.remediation.command).toContain("az aks identity-binding show");
  });
});

describe("binding.annotation-missing", () => {
  it("reports labelled workloads that do not opt in, instead of sa.no-matching-fic", () => {
    const fleet = bindingFleet();
    const s = first(fleet);
    s.pods = [pod()];
    s.workloads = [workload("Deployment", "orders-api"), workload("ReplicaSet", "orders-api-7d9f8b6c5", { owner: { kind: "Deployment", name: "orders-api" } })];
    const f = only(fires("binding.annotation-missing", fleet));
    expect(f.resource).toMatchObject({ kind: "Deployment", name: "orders-api" });
    expect(f.remediation.command).toContain('"azure.workload.identity/use-identity-binding":"true"');
    quiet("sa.no-matching-fic", fleet);
  });

  it("stays quiet when the identity also trusts the cluster's issuer for the service account", () => {
    const fleet = bindingFleet();
    fleet.inventory = inventory({ identities: [identity({ federatedCredentials: [bindingCredential(), credential()] })] });
    first(fleet).pods = [pod()];
    quiet("binding.annotation-missing", fleet);
  });
});

describe("binding.role-missing", () => {
  it("reports a service account no ClusterRoleBinding lets use the identity, with a binding of the role that allows it", () => {
    const fleet = bindingFleet();
    first(fleet).managedIdentityGrants = [docGrant([{ kind: "ServiceAccount", name: "other", namespace: NS }])];
    const f = only(fires("binding.role-missing", fleet));
    expect(f.resource).toMatchObject({ kind: "ServiceAccount", namespace: NS, name: SA, identityClientId: CLIENT_ID });
    expect(f.evidence.rolesAllowingIdentity).toBe(`use-mi-${CLIENT_ID}`);
    expect(f.remediation.command).toContain(`create clusterrolebinding`);
    expect(f.remediation.command).toContain(`--serviceaccount ${NS}:${SA}`);
  });

  it("names the ClusterRole to create when no role allows the identity", () => {
    const fleet = bindingFleet();
    first(fleet).managedIdentityGrants = [];
    const f = only(fires("binding.role-missing", fleet));
    expect(f.remediation.command).toBeUndefined();
    expect(f.remediation.text).toContain(`verbs ["use-managed-identity"], apiGroups ["cid.wi.aks.azure.com"], resources ["${CLIENT_ID.toLowerCase()}"]`);
  });

  it("counts the service-account groups and user name as Kubernetes RBAC does, and a role on every identity", () => {
    for (const subject of [
      { kind: "Group", name: `system:serviceaccounts:${NS}` },
      { kind: "Group", name: "system:serviceaccounts" },
      { kind: "User", name: `system:serviceaccount:${NS}:${SA}` },
    ]) {
      const fleet = bindingFleet();
      first(fleet).managedIdentityGrants = [docGrant([subject])];
      quiet("binding.role-missing", fleet);
    }
    const wildcard = bindingFleet();
    first(wildcard).managedIdentityGrants = [{ ...docGrant(), clientIds: ["*"] }];
    quiet("binding.role-missing", wildcard);
  });

  it("stays quiet when the ClusterRoles could not be read (a gap, not an absence)", () => {
    const fleet = bindingFleet();
    delete first(fleet).managedIdentityGrants;
    quiet("binding.role-missing", fleet);
  });
});
