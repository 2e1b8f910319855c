/**
 * Multi-tenant app registrations, judged as Entra would: an app registered in
 * another tenant with a service principal here gets tokens here (it is no
 * unknown client id), and a multi-tenant app may be asked for a token in any
 * tenant it is provisioned in (no tenant-id mismatch the scan can prove).
 */
import { describe, expect, it } from "vitest";
import { APP_CLIENT_ID, NS, SA, TENANT, app, first, fires, healthyFleet, only, quiet, serviceAccount } from "./builders.js";

const CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";
const TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id";
const HOME_TENANT = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const OTHER_TENANT = "0f1e2d3c-4b5a-4968-8776-655443322110";

function fleetNaming(annotations: Record<string, string>, registration = app()) {
  const fleet = healthyFleet();
  fleet.inventory.applications = [registration];
  first(fleet).serviceAccounts = [serviceAccount(NS, SA, { [CLIENT_ID_ANNOTATION]: APP_CLIENT_ID, ...annotations })];
  return fleet;
}

/** An app registered in HOME_TENANT, present here only as a service principal. */
const foreignApp = () => {
  const { objectId: _objectId, ...rest } = app({ homeTenantId: HOME_TENANT, signInAudience: "AzureADMultipleOrgs", federatedCredentials: [] });
  return rest;
};

describe("an app registered in another tenant with a service principal here", () => {
  it("is no unknown client id", () => {
    quiet("sa.client-id-unknown", fleetNaming({}, foreignApp()));
  });

  it("is not judged on credentials the scan cannot read (they live in the home tenant)", () => {
    quiet("sa.no-matching-fic", fleetNaming({}, foreignApp()));
    quiet("fic.issuer-mismatch", fleetNaming({}, foreignApp()));
  });

  it("may be asked for a token here or in its home tenant", () => {
    quiet("sa.tenant-id-mismatch", fleetNaming({ [TENANT_ID_ANNOTATION]: TENANT }, foreignApp()));
    quiet("sa.tenant-id-mismatch", fleetNaming({ [TENANT_ID_ANNOTATION]: HOME_TENANT }, foreignApp()));
  });
});

describe("a multi-tenant app registered here, its token requested in another tenant (the documented cross-tenant pattern)", () => {
  it("is no tenant-id mismatch: the scan cannot see whether the app is provisioned there", () => {
    quiet("sa.tenant-id-mismatch", fleetNaming({ [TENANT_ID_ANNOTATION]: OTHER_TENANT }, app({ signInAudience: "AzureADMultipleOrgs" })));
    quiet("sa.tenant-id-mismatch", fleetNaming({ [TENANT_ID_ANNOTATION]: OTHER_TENANT }, app({ signInAudience: "AzureADandPersonalMicrosoftAccount" })));
  });

  it("a single-tenant app asked in another tenant still fails (AADSTS700016): high", () => {
    const f = only(fires("sa.tenant-id-mismatch", fleetNaming({ [TENANT_ID_ANNOTATION]: OTHER_TENANT }, app({ signInAudience: "AzureADMyOrg" }))));
    expect(f.severity).toBe("high");
    expect(f.evidence).toMatchObject({ annotatedTenantId: OTHER_TENANT, identityTenantId: TENANT });
  });
});
