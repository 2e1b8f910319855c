import { describe, expect, it } from "vitest";
import { buildFleetView, extendFleetView } from "../../shared/checks/index.js";
import { APP_CLIENT_ID, CLIENT_ID, ISSUER, app, credential, identity, inventory } from "./builders.js";

const appWithCredential = app({ federatedCredentials: [credential({ name: "orders-app", subject: "system:serviceaccount:orders:app" })] });

describe("extending the fleet view with app registrations found for one cluster", () => {
  it("sees the same principals and credentials as a view built with them from the start", () => {
    const base = inventory({ identities: [identity({ federatedCredentials: [credential()] })] });
    const extended = extendFleetView(buildFleetView(base), [appWithCredential], []);
    const rebuilt = buildFleetView({ ...base, applications: [appWithCredential] });

    expect(extended.principalByClientId.get(APP_CLIENT_ID)).toEqual(rebuilt.principalByClientId.get(APP_CLIENT_ID));
    expect(extended.principalByClientId.size).toBe(rebuilt.principalByClientId.size);
    expect(extended.credentialsByIssuer.get(ISSUER)?.map((t) => t.credential.name).sort()).toEqual(
      rebuilt.credentialsByIssuer.get(ISSUER)?.map((t) => t.credential.name).sort(),
    );
    expect([...extended.principalByClientId.keys()].sort()).toEqual([...rebuilt.principalByClientId.keys()].sort());
    expect(extended.principals).toHaveLength(rebuilt.principals.length);
  });

  it("leaves the base view as it was, so one cluster's lookups change no other cluster's verdicts", () => {
    const view = buildFleetView(inventory());
    const trustedBefore = view.credentialsByIssuer.get(ISSUER)?.length ?? 0;
    const extended = extendFleetView(view, [appWithCredential], []);
    expect(extended.credentialsByIssuer.get(ISSUER)).toHaveLength(trustedBefore + 1);
    expect(view.principalByClientId.has(APP_CLIENT_ID)).toBe(false);
    expect(view.credentialsByIssuer.get(ISSUER)?.length ?? 0).toBe(trustedBefore);
  });

  it("keeps the managed identity when an app registration has the same client id", () => {
    const view = extendFleetView(buildFleetView(inventory()), [app({ appId: CLIENT_ID })], []);
    expect(view.principalByClientId.get(CLIENT_ID)?.kind).toBe("managed-identity");
  });

  it("stops trusting absence when looking app registrations up failed", () => {
    const view = extendFleetView(buildFleetView(inventory()), [], [{ kind: "forbidden", operation: "applications", message: "403" }]);
    expect(view.applicationsKnown).toBe(false);
  });
});
