import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { first, fires, healthyFleet, only, quiet, SUBSCRIPTION } from "./builders.js";

const PERMISSIONS_DOC = "https://github.com/wiscan/wiscan/blob/main/docs/permissions.md";
const documentedAnchors = [...readFileSync(new URL("../../docs/permissions.md", import.meta.url), "utf8").matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]);

/** The finding links to a line of docs/permissions.md that exists. */
function expectPermissionLink(docsUrl: string, anchor: string): void {
  expect(docsUrl).toBe(`${PERMISSIONS_DOC}#${anchor}`);
  expect(documentedAnchors).toContain(anchor);
}

describe("scan.cluster-unreachable", () => {
  it("reports a private cluster the scanner could not reach, and keeps every other check silent", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.cluster.isPrivate = true;
    s.cluster.privateFqdn = "aks-prod-1a2b.privatelink.eastus.azmk8s.io";
    s.accessPath = "none";
    s.errors = [{ kind: "unreachable", resource: "namespaces", verb: "list", message: "getaddrinfo ENOTFOUND aks-prod-1a2b.privatelink.eastus.azmk8s.io" }];
    s.pods = [];
    s.serviceAccounts = [];
    const f = only(fires("scan.cluster-unreachable", fleet));
    expect(f.severity).toBe("medium");
    expect(f.evidence).toMatchObject({ privateCluster: true, endpoint: "aks-prod-1a2b.privatelink.eastus.azmk8s.io", accessPath: "none" });
    expect(f.remediation.text).toContain("RUN_COMMAND_SCOPES");
    quiet("fic.dangling", fleet);
    quiet("cluster.webhook-not-running", fleet);
  });

  it("does not offer run command for a private cluster that disables it", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.cluster.isPrivate = true;
    s.cluster.runCommandDisabled = true;
    s.accessPath = "none";
    s.errors = [{ kind: "unreachable", resource: "namespaces", verb: "list", message: "getaddrinfo ENOTFOUND aks-prod.privatelink.eastus.azmk8s.io" }];
    const f = only(fires("scan.cluster-unreachable", fleet));
    expect(f.evidence).toMatchObject({ runCommandDisabled: true });
    expect(f.remediation.text).toContain("disables run command");
    expect(f.remediation.text).not.toContain("RUN_COMMAND_SCOPES");
  });

  it("reports a read that timed out", () => {
    const fleet = healthyFleet();
    first(fleet).errors = [{ kind: "timeout", resource: "pods", verb: "list", message: "timed out after 30s" }];
    expect(only(fires("scan.cluster-unreachable", fleet)).evidence.firstFailure).toBe("list pods: timed out after 30s");
  });

  it("reports a stopped cluster as info", () => {
    const fleet = healthyFleet();
    first(fleet).cluster.powerState = "Stopped";
    first(fleet).accessPath = "none";
    expect(only(fires("scan.cluster-unreachable", fleet)).severity).toBe("info");
  });

  it("stays quiet when every read succeeded", () => {
    quiet("scan.cluster-unreachable", healthyFleet());
  });
});

describe("scan.forbidden", () => {
  it("names the exact verb, resource and API group to grant", () => {
    const fleet = healthyFleet();
    first(fleet).errors = [
      { kind: "forbidden", resource: "mutatingwebhookconfigurations", group: "admissionregistration.k8s.io", verb: "list", httpStatus: 403, message: "forbidden" },
      { kind: "forbidden", resource: "mutatingwebhookconfigurations", group: "admissionregistration.k8s.io", verb: "list", httpStatus: 403, message: "forbidden again" },
    ];
    const f = only(fires("scan.forbidden", fleet));
    expect(f.title).toBe("The scanner may not list mutatingwebhookconfigurations.admissionregistration.k8s.io cluster-wide");
    expectPermissionLink(f.docsUrl, "kubernetes-mutatingwebhookconfigurations-list");
    expect(f.evidence).toMatchObject({ verb: "list", resource: "mutatingwebhookconfigurations", apiGroup: "admissionregistration.k8s.io" });
    expect(f.remediation.command).toBe(
      "kubectl --context aks-prod create clusterrole wiscan-list-mutatingwebhookconfigurations.admissionregistration.k8s.io --verb list --resource mutatingwebhookconfigurations.admissionregistration.k8s.io\n" +
        'kubectl --context aks-prod create clusterrolebinding wiscan-list-mutatingwebhookconfigurations.admissionregistration.k8s.io --clusterrole wiscan-list-mutatingwebhookconfigurations.admissionregistration.k8s.io --user "${SCANNER_PRINCIPAL_ID:?set SCANNER_PRINCIPAL_ID to the object id of the scanner\'s identity}"',
    );
  });

  it("names the Azure data action of the parent resource for a subresource on clusters that use Azure RBAC", () => {
    const fleet = healthyFleet();
    first(fleet).cluster.aad = { managed: true, azureRbac: true };
    first(fleet).errors = [{ kind: "forbidden", resource: "pods/log", verb: "get", namespace: "orders", message: "forbidden" }];
    const f = only(fires("scan.forbidden", fleet));
    expect(f.resource).toMatchObject({ kind: "Permission", namespace: "orders", name: "get pods/log" });
    // AKS authorizes pods/log as pods: there is no pods/log/read data action.
    expect(f.evidence.azureDataAction).toBe("Microsoft.ContainerService/managedClusters/pods/read");
    expect(f.remediation.text).toContain("Microsoft.ContainerService/managedClusters/pods/read in namespace orders");
    expect(f.remediation.command).toContain("--verb get --resource pods/log");
    expectPermissionLink(f.docsUrl, "kubernetes-pods-log-get");
  });

  it("asks for serviceaccounts/write when a token request is refused under Azure RBAC", () => {
    const fleet = healthyFleet();
    first(fleet).cluster.aad = { managed: true, azureRbac: true };
    first(fleet).errors = [{ kind: "forbidden", resource: "serviceaccounts/token", verb: "create", group: "", namespace: "orders", message: "forbidden" }];
    const f = only(fires("scan.forbidden", fleet));
    expect(f.evidence.azureDataAction).toBe("Microsoft.ContainerService/managedClusters/serviceaccounts/write");
    expectPermissionLink(f.docsUrl, "kubernetes-serviceaccounts-token-create");
  });

  it("leaves the data action out on clusters that authorize with Kubernetes RBAC", () => {
    const fleet = healthyFleet();
    first(fleet).errors = [{ kind: "forbidden", resource: "pods", verb: "list", group: "", message: "forbidden" }];
    const f = only(fires("scan.forbidden", fleet));
    expect(f.resource).toMatchObject({ kind: "Permission", name: "list pods" });
    expect(f.evidence.azureDataAction).toBeUndefined();
    expect(f.remediation.text).toBe("Allow the scanner to list pods cluster-wide with Kubernetes RBAC.");
    expectPermissionLink(f.docsUrl, "kubernetes-pods-list");
  });

  it("writes a grouped subresource the way kubectl create clusterrole reads it", () => {
    const fleet = healthyFleet();
    first(fleet).errors = [{ kind: "forbidden", resource: "deployments/scale", verb: "get", group: "apps", message: "forbidden" }];
    const f = only(fires("scan.forbidden", fleet));
    expect(f.resource.name).toBe("get deployments.apps/scale");
    expect(f.remediation.command).toContain("--verb get --resource deployments.apps/scale");
  });

  it("reports a refused ARM action on the cluster as an Azure role to assign, not a Kubernetes role", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.accessPath = "none";
    s.errors = [
      {
        kind: "forbidden",
        resource: "Microsoft.ContainerService/managedClusters/listClusterUserCredential",
        verb: "action",
        group: "Microsoft.ContainerService",
        httpStatus: 403,
        message: "AuthorizationFailed",
      },
    ];
    const f = only(fires("scan.forbidden", fleet));
    expect(f.resource).toMatchObject({ kind: "Permission", name: "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action", cluster: "aks-prod" });
    expect(f.remediation.command).toBe(
      `az role assignment create --assignee-object-id "\${SCANNER_PRINCIPAL_ID:?set SCANNER_PRINCIPAL_ID to the object id of the scanner's identity}" ` +
        `--assignee-principal-type ServicePrincipal --role 'Azure Kubernetes Service Cluster User Role' --scope ${s.cluster.id}`,
    );
    expectPermissionLink(f.docsUrl, "arm-listclusterusercredential-action");
  });

  it("reports once per missing Azure permission, however many identities it blocked", () => {
    const fleet = healthyFleet();
    fleet.inventory.errors = [1, 2, 3].map((i) => ({
      kind: "forbidden" as const,
      operation: "federatedIdentityCredentials",
      resource: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-${i}`,
      permission: "Managed Identity Operator",
      message: "AuthorizationFailed",
    }));
    const f = only(fires("scan.forbidden", fleet));
    expect(f.evidence).toMatchObject({ refusals: 3, permission: "Managed Identity Operator" });
    // The narrowest scope covering all three identities: their resource group.
    expect(f.remediation.command?.endsWith(`--role 'Managed Identity Operator' --scope /subscriptions/${SUBSCRIPTION}/resourceGroups/rg`)).toBe(true);
    expectPermissionLink(f.docsUrl, "inventory-federatedidentitycredentials");
  });

  it("assigns the role an inventory permission text names, never the text itself", () => {
    const fleet = healthyFleet();
    const identityId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-1`;
    fleet.inventory.errors = [
      {
        kind: "forbidden",
        operation: "federatedIdentityCredentials",
        resource: identityId,
        permission: "Reader on the identity (Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read)",
        message: "AuthorizationFailed",
      },
    ];
    const f = only(fires("scan.forbidden", fleet));
    expect(f.remediation.command).toMatch(/ --role Reader --scope /);
    expect(f.remediation.command?.endsWith(identityId)).toBe(true);
  });

  it("names a Microsoft Graph permission without inventing a role assignment", () => {
    const fleet = healthyFleet();
    fleet.inventory.errors = [{ kind: "forbidden", operation: "applications", permission: "Application.Read.All", message: "Authorization_RequestDenied" }];
    const f = only(fires("scan.forbidden", fleet));
    expect(f.remediation.text).toContain("Application.Read.All");
    expect(f.remediation.command).toBeUndefined();
    expectPermissionLink(f.docsUrl, "inventory-applications");
  });

  it("stays quiet for throttling, which is not a missing permission", () => {
    const fleet = healthyFleet();
    fleet.inventory.errors = [{ kind: "throttled", operation: "federatedIdentityCredentials", message: "429" }];
    quiet("scan.forbidden", fleet);
  });
});

describe("scan.subscription-missing", () => {
  const GONE = "5e0c2b1a-7d44-4f0e-9a55-3c7f1b2d9e10";

  it("reports a subscription in scope that Resource Graph did not return, with the role to grant", () => {
    const fleet = healthyFleet();
    fleet.inventory.missingSubscriptions = [GONE];
    fleet.inventory.complete = false;
    const f = only(fires("scan.subscription-missing", fleet));
    expect(f.severity).toBe("high");
    expect(f.resource).toMatchObject({ subscriptionId: GONE, kind: "Subscription" });
    expect(f.remediation.command).toMatch(/ --role Reader --scope /);
    expect(f.remediation.command?.endsWith(`/subscriptions/${GONE}`)).toBe(true);
  });

  it("stays quiet when every subscription in scope was returned", () => {
    quiet("scan.subscription-missing", healthyFleet());
  });
});
