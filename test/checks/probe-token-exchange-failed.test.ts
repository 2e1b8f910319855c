/**
 * probe.token-exchange-failed on hand-built snapshots: what a finding says
 * when the live exchange agrees with the static checks, and when it does not.
 */
import { describe, expect, it } from "vitest";
import type { ProbeResult } from "../../shared/cluster/index.js";
import { probeTargets } from "../../shared/probe/index.js";
import { CLIENT_ID, ISSUER, NS, SA, TENANT, cluster, credential, first, fires, healthyFleet, identity, inventory, only, pod, quiet, serviceAccount, snapshot, type TestFleet } from "./builders.js";

function probed(fleet: TestFleet, result: Partial<ProbeResult>): TestFleet {
  first(fleet).probeResults = [{ namespace: NS, serviceAccount: SA, clientId: CLIENT_ID, tenantId: TENANT, expirationSeconds: 3600, outcome: "ok", ...result }];
  return fleet;
}

/** The identity trusts another service account only: sa.no-matching-fic predicts the failure. */
function withoutCredential(): TestFleet {
  return { inventory: inventory({ identities: [identity({ federatedCredentials: [credential({ subject: "system:serviceaccount:billing:invoices" })] })] }), snapshots: [snapshot()] };
}

describe("probe.token-exchange-failed", () => {
  it("reports a refused exchange with Entra's code, its meaning, and the static check that predicted it", () => {
    const finding = only(fires("probe.token-exchange-failed", probed(withoutCredential(), { outcome: "failed", aadstsCode: "AADSTS70021", message: "AADSTS70021: No matching federated identity record found" })));
    expect(finding.severity).toBe("high");
    expect(finding.title).toBe("Live token exchange fails with AADSTS70021 (no matching federated identity record)");
    expect(finding.resource).toMatchObject({ kind: "ServiceAccount", namespace: NS, name: SA, identityClientId: CLIENT_ID });
    expect(finding.evidence).toMatchObject({ explainedBy: "sa.no-matching-fic", staticChecks: "sa.no-matching-fic", agreesWithStaticChecks: true });
    expect(finding.remediation.text).toContain("The static checks predicted it");
  });

  it("says so when no static check predicted the failure", () => {
    const finding = only(fires("probe.token-exchange-failed", probed(healthyFleet(), { outcome: "failed", aadstsCode: "AADSTS70021" })));
    expect(finding.evidence).toMatchObject({ staticChecks: "none", agreesWithStaticChecks: false });
    expect(finding.remediation.text).toContain("No static check predicted this failure");
  });

  it("reports, as info, an exchange that succeeds although a static check predicts it fails", () => {
    const finding = only(fires("probe.token-exchange-failed", probed(withoutCredential(), { outcome: "ok" })));
    expect(finding.severity).toBe("info");
    expect(finding.title).toContain("succeeds although sa.no-matching-fic predicts it fails");
    expect(finding.evidence).toMatchObject({ outcome: "ok", agreesWithStaticChecks: false });
  });

  it("predicts a wrong audience from the credential itself", () => {
    const fleet: TestFleet = { inventory: inventory({ identities: [identity({ federatedCredentials: [credential({ audiences: ["api://wrong"] })] })] }), snapshots: [snapshot()] };
    const finding = only(fires("probe.token-exchange-failed", probed(fleet, { outcome: "failed", aadstsCode: "AADSTS700212" })));
    expect(finding.evidence).toMatchObject({ explainedBy: "fic.audience-missing", staticChecks: "fic.audience-missing", agreesWithStaticChecks: true });
  });

  it("stays quiet without the probe, on a successful exchange the checks agree with, and when the probe could not decide", () => {
    quiet("probe.token-exchange-failed", healthyFleet());
    quiet("probe.token-exchange-failed", probed(healthyFleet(), { outcome: "ok" }));
    quiet("probe.token-exchange-failed", probed(withoutCredential(), { outcome: "error", message: "TokenRequest failed: forbidden" }));
  });
});

describe("the service accounts the probe exchanges a token for", () => {
  it("are those with a client id that a pod or workload runs as, with the expiration the annotations ask for, within the webhook's limits", () => {
    const s = snapshot({
      serviceAccounts: [
        serviceAccount(NS, SA, { "azure.workload.identity/client-id": CLIENT_ID, "azure.workload.identity/service-account-token-expiration": "100" }),
        serviceAccount(NS, "long-lived", { "azure.workload.identity/client-id": CLIENT_ID, "azure.workload.identity/tenant-id": TENANT }),
        serviceAccount(NS, "unused", { "azure.workload.identity/client-id": CLIENT_ID }),
        serviceAccount(NS, "no-client-id", { "azure.workload.identity/tenant-id": TENANT }),
      ],
      pods: [
        pod(),
        pod({ name: "long-lived-1", serviceAccountName: "long-lived", annotations: { "azure.workload.identity/service-account-token-expiration": "172800" } }),
        pod({ name: "no-client-id-1", serviceAccountName: "no-client-id" }),
      ],
    });
    expect(probeTargets(s)).toEqual([
      { namespace: NS, serviceAccount: SA, clientId: CLIENT_ID, expirationSeconds: 3600 },
      { namespace: NS, serviceAccount: "long-lived", clientId: CLIENT_ID, tenantId: TENANT, expirationSeconds: 86400 },
    ]);
    expect(ISSUER).toMatch(/\/$/);
  });

  it("ask for the audience the pods' token carries on a sovereign-cloud cluster whose webhook projects the cloud's own, else the default", () => {
    const usGov = ISSUER.replace("eastus.oic.prod-aks.azure.com", "usgovvirginia.oic.prod-aks.azure.us");
    const projecting = (audience: string) => pod({ projectedTokenVolumes: [{ volumeName: "azure-workload-identity-reserved-6f1c2", audience, path: "azure-identity-token" }] });
    const target = (issuer: string, audience: string) => probeTargets(snapshot({ cluster: cluster({ oidcIssuerUrl: issuer }), pods: [projecting(audience)] }))[0];
    expect(target(usGov, "api://AzureADTokenExchangeUSGov")?.audience).toBe("api://AzureADTokenExchangeUSGov");
    expect(target(usGov, "api://AzureADTokenExchange")?.audience).toBeUndefined();
    // Another cloud's audience is no token-exchange audience of this cluster: the probe asks for the default.
    expect(target(ISSUER, "api://AzureADTokenExchangeUSGov")?.audience).toBeUndefined();
  });
});
