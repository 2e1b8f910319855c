import { describe, expect, it } from "vitest";
import { first, fires, healthyFleet, only, quiet, SUBSCRIPTION } from "./builders.js";

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
    expect(f.evidence).toMatchObject({ verb: "list", resource: "mutatingwebhookconfigurations", apiGroup: "admissionregistration.k8s.io" });
    expect(f.remediation.command).toBe(
      "kubectl --context aks-prod create clusterrole wiscan-list-mutatingwebhookconfigurations.admissionregistration.k8s.io --verb list --resource mutatingwebhookconfigurations.admissionregistration.k8s.io\n" +
        'kubectl --context aks-prod create clusterrolebinding wiscan-list-mutatingwebhookconfigurations.admissionregistration.k8s.io --clusterrole wiscan-list-mutatingwebhookconfigurations.admissionregistration.k8s.io --user "${SCANNER_PRINCIPAL_ID:?set SCANNER_PRINCIPAL_ID to the object id of the scanner\'s identity}"',
    );
  });

  it("names the Azure data action on clusters that use Azure RBAC, per namespace", () => {
    const fleet = healthyFleet();
    first(fleet).cluster.aad = { managed: true, azureRbac: true };
    first(fleet).errors = [{ kind: "forbidden", resource: "pods/log", verb: "get", namespace: "orders", message: "forbidden" }];
    const f = only(fires("scan.forbidden", fleet));
    expect(f.resource).toMatchObject({ kind: "Permission", namespace: "orders", name: "get pods/log" });
    expect(f.evidence.azureDataAction).toBe("Microsoft.ContainerService/managedClusters/pods/log/read");
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
    expect(f.remediation.command).toContain("--role 'Managed Identity Operator' --scope /subscriptions/");
  });

  it("names a Microsoft Graph permission without inventing a role assignment", () => {
    const fleet = healthyFleet();
    fleet.inventory.errors = [{ kind: "forbidden", operation: "applications", permission: "Application.Read.All", message: "Authorization_RequestDenied" }];
    const f = only(fires("scan.forbidden", fleet));
    expect(f.remediation.text).toContain("Application.Read.All");
    expect(f.remediation.command).toBeUndefined();
  });

  it("stays quiet for throttling, which is not a missing permission", () => {
    const fleet = healthyFleet();
    fleet.inventory.errors = [{ kind: "throttled", operation: "federatedIdentityCredentials", message: "429" }];
    quiet("scan.forbidden", fleet);
  });
});
