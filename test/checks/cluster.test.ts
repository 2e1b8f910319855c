import { describe, expect, it } from "vitest";
import { addonWebhook, first, fires, healthyFleet, NS, only, quiet, serviceAccount, SA, type TestFleet } from "./builders.js";

/** A cluster with no workload identity objects at all. */
function unusedFleet(): TestFleet {
  const fleet = healthyFleet();
  const s = first(fleet);
  s.serviceAccounts = [serviceAccount(NS, "default")];
  s.pods = [];
  s.workloads = [];
  return fleet;
}

describe("cluster.oidc-issuer-disabled", () => {
  it("reports high when the cluster's workloads use workload identity", () => {
    const fleet = healthyFleet();
    first(fleet).cluster.oidcIssuerEnabled = false;
    const f = only(fires("cluster.oidc-issuer-disabled", fleet));
    expect(f.severity).toBe("high");
    expect(f.resource).toMatchObject({ kind: "ManagedCluster", name: "aks-prod", resourceGroup: "rg-aks" });
    expect(f.remediation.command).toBe(
      "az aks update --subscription 0b1f6471-1bf0-4dda-aec3-cb9272f09590 --resource-group rg-aks --name aks-prod --enable-oidc-issuer",
    );
  });

  it("reports only info on a cluster that uses no workload identity", () => {
    const fleet = unusedFleet();
    first(fleet).cluster.oidcIssuerEnabled = false;
    expect(only(fires("cluster.oidc-issuer-disabled", fleet)).severity).toBe("info");
  });

  it("reports medium when service accounts and pods could not be listed", () => {
    const fleet = unusedFleet();
    const s = first(fleet);
    s.cluster.oidcIssuerEnabled = false;
    s.errors = [{ kind: "forbidden", resource: "serviceaccounts", verb: "list", message: "forbidden" }];
    expect(only(fires("cluster.oidc-issuer-disabled", fleet)).severity).toBe("medium");
  });

  it("stays quiet when the issuer is enabled", () => {
    quiet("cluster.oidc-issuer-disabled", healthyFleet());
  });
});

describe("cluster.workload-identity-disabled", () => {
  it("reports high when labelled pods exist but the add-on is off, and enables the issuer too when needed", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.cluster.workloadIdentityEnabled = false;
    s.cluster.oidcIssuerEnabled = false;
    s.webhookDeployments = [];
    const f = only(fires("cluster.workload-identity-disabled", fleet));
    expect(f.severity).toBe("high");
    expect(f.remediation.command).toContain("--enable-oidc-issuer --enable-workload-identity");
  });

  it("reports info on a cluster that uses no workload identity", () => {
    const fleet = unusedFleet();
    first(fleet).cluster.workloadIdentityEnabled = false;
    first(fleet).webhookDeployments = [];
    expect(only(fires("cluster.workload-identity-disabled", fleet)).severity).toBe("info");
  });

  it("reports low when a self-managed Helm webhook does the add-on's job", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.cluster.workloadIdentityEnabled = false;
    s.webhookDeployments = [addonWebhook({ namespace: "azure-workload-identity-system", source: "helm" })];
    expect(only(fires("cluster.workload-identity-disabled", fleet)).severity).toBe("low");
  });

  it("stays quiet when the add-on is enabled", () => {
    quiet("cluster.workload-identity-disabled", healthyFleet());
  });
});

describe("cluster.webhook-not-running", () => {
  it("reports a webhook deployment with no ready replica", () => {
    const fleet = healthyFleet();
    first(fleet).webhookDeployments = [addonWebhook({ readyReplicas: 0 })];
    const f = only(fires("cluster.webhook-not-running", fleet));
    expect(f.severity).toBe("high");
    expect(f.evidence).toMatchObject({ deployment: "kube-system/azure-wi-webhook-controller-manager", readyReplicas: 0 });
    expect(f.remediation.command).toBe(
      "kubectl --context aks-prod describe deployment azure-wi-webhook-controller-manager --namespace kube-system",
    );
  });

  it("reports a missing add-on deployment with medium severity when nothing uses it yet", () => {
    const fleet = unusedFleet();
    first(fleet).webhookDeployments = [];
    const f = only(fires("cluster.webhook-not-running", fleet));
    expect(f.severity).toBe("medium");
    expect(f.remediation.command).toContain("--enable-workload-identity");
  });

  it("stays quiet when the add-on is off and nothing is installed (workload-identity-disabled says it)", () => {
    const fleet = healthyFleet();
    first(fleet).cluster.workloadIdentityEnabled = false;
    first(fleet).webhookDeployments = [];
    quiet("cluster.webhook-not-running", fleet);
    fires("cluster.workload-identity-disabled", fleet);
  });

  it("stays quiet when deployments could not be listed", () => {
    const fleet = healthyFleet();
    first(fleet).webhookDeployments = [];
    first(fleet).errors = [{ kind: "forbidden", resource: "deployments", group: "apps", verb: "list", message: "forbidden" }];
    quiet("cluster.webhook-not-running", fleet);
  });

  it("stays quiet when a replica is ready", () => {
    quiet("cluster.webhook-not-running", healthyFleet());
  });
});

describe("cluster.webhook-config-missing", () => {
  it("reports when the webhook runs but no configuration routes pods to it", () => {
    const fleet = healthyFleet();
    first(fleet).mutatingWebhooks = [{ configurationName: "other", webhooks: [{ name: "sidecar.istio.io", objectSelectorLabels: {} }] }];
    const f = only(fires("cluster.webhook-config-missing", fleet));
    expect(f.severity).toBe("high");
  });

  it("recognises the configuration by its webhook entry whatever its object name", () => {
    const fleet = healthyFleet();
    first(fleet).mutatingWebhooks = [{ configurationName: "aks-webhook-admission-controller", webhooks: [{ name: "mutation.azure-workload-identity.io", objectSelectorLabels: {} }] }];
    quiet("cluster.webhook-config-missing", fleet);
  });

  it("stays quiet when no webhook is installed at all (one problem, one finding)", () => {
    const fleet = healthyFleet();
    first(fleet).mutatingWebhooks = [];
    first(fleet).webhookDeployments = [];
    quiet("cluster.webhook-config-missing", fleet);
  });

  it("stays quiet when configurations could not be listed", () => {
    const fleet = healthyFleet();
    first(fleet).mutatingWebhooks = [];
    first(fleet).errors = [{ kind: "forbidden", resource: "mutatingwebhookconfigurations", group: "admissionregistration.k8s.io", verb: "list", message: "no" }];
    quiet("cluster.webhook-config-missing", fleet);
  });
});

describe("cluster.webhook-duplicate", () => {
  it("reports the add-on and a Helm release running side by side", () => {
    const fleet = healthyFleet();
    first(fleet).webhookDeployments.push(addonWebhook({ namespace: "azure-workload-identity-system", source: "helm" }));
    const f = only(fires("cluster.webhook-duplicate", fleet));
    expect(f.severity).toBe("medium");
    expect(f.remediation.command).toBe(
      "helm uninstall workload-identity-webhook --namespace azure-workload-identity-system --kube-context aks-prod",
    );
  });

  it("stays quiet when the Helm release has no ready replica", () => {
    const fleet = healthyFleet();
    first(fleet).webhookDeployments.push(addonWebhook({ namespace: "azure-workload-identity-system", source: "helm", readyReplicas: 0 }));
    quiet("cluster.webhook-duplicate", fleet);
  });
});

describe("a cluster whose pods could not be seen", () => {
  it("leaves pod checks silent and lets scan.forbidden say why", () => {
    const fleet = healthyFleet();
    const s = first(fleet);
    s.pods = [];
    s.errors = [{ kind: "forbidden", resource: "pods", verb: "list", message: "pods is forbidden" }];
    s.serviceAccounts = [serviceAccount(NS, SA, { "azure.workload.identity/client-id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d" })];
    quiet("pod.not-mutated", fleet);
    quiet("pod.label-missing", fleet);
    expect(only(fires("scan.forbidden", fleet)).title).toBe("The scanner may not list pods cluster-wide");
  });
});
