import { ClientAssertionCredential } from "@azure/identity";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFleet, type Simulator } from "../../simulator/index.js";
import { httpsRequest, MINI_FLEET_DIR, startFleetSimulator } from "../support/simulator.js";

const PAYMENTS_CLIENT_ID = "c0ffee00-0001-4abc-8def-111111111111";
const CHECKOUT_CLIENT_ID = "c0ffee00-0002-4abc-8def-222222222222";
const PLATFORM_CLIENT_ID = "c0ffee00-0003-4abc-8def-333333333333";
const LEGACY_APP_ID = "b16b00b5-0001-4c3d-8e9f-aaaaaaaaaaaa";
const ARM = "https://management.azure.com/.default";

/** A projected-style service account token, from the simulated cluster's own TokenRequest API. */
async function serviceAccountTokenOf(sim: Simulator, cluster: string, namespace: string, name: string, audience = "api://AzureADTokenExchange"): Promise<string> {
  const config = new KubeConfig();
  config.loadFromString(sim.kubeconfigFor(cluster));
  const response = await config.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name,
    namespace,
    body: { spec: { audiences: [audience], expirationSeconds: 3600 } },
  });
  const token = response.status?.token;
  if (!token) throw new Error("no token");
  return token;
}

/** The workload-identity exchange as the Azure SDK performs it, in the simulated tenant. */
function exchangeAt(sim: Simulator, clientId: string, assertion: string, scope = ARM) {
  const credential = new ClientAssertionCredential(sim.tenantId, clientId, async () => assertion, {
    authorityHost: sim.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: sim.caPem },
  });
  return credential.getToken(scope);
}

describe("the simulated Entra token endpoint", () => {
  let sim: Simulator;
  beforeAll(async () => {
    // checkout-aks is private: the service-account tokens are asked of its API server from inside its network.
    sim = await startFleetSimulator({ reachesPrivateClusters: true });
  });
  afterAll(() => sim.close());

  function serviceAccountToken(cluster: string, namespace: string, name: string, audience?: string): Promise<string> {
    return serviceAccountTokenOf(sim, cluster, namespace, name, audience);
  }

  function exchange(clientId: string, assertion: string, scope = ARM) {
    return exchangeAt(sim, clientId, assertion, scope);
  }

  async function rawExchange(clientId: string, assertion: string, scope = ARM) {
    const response = await httpsRequest(sim, `${sim.authorityHost}/${sim.tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: clientId,
        scope,
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: assertion,
      }).toString(),
    });
    return response as { status: number; body: { error: string; error_description: string; error_codes: number[] } };
  }

  it("exchanges a service account token that a managed identity's credential matches", async () => {
    const token = await exchange(PAYMENTS_CLIENT_ID, await serviceAccountToken("payments-aks", "payments", "api"));
    expect(token.token.split(".")).toHaveLength(3);
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now());
  });

  it("exchanges a token that an app registration's credential matches", async () => {
    const token = await exchange(LEGACY_APP_ID, await serviceAccountToken("platform-aks", "batch", "runner"));
    expect(token.token).toBeTruthy();
  });

  it("answers AADSTS70021 when no credential shares the issuer or the subject", async () => {
    const response = await rawExchange(CHECKOUT_CLIENT_ID, await serviceAccountToken("payments-aks", "payments", "api"));
    expect(response.status).toBe(400);
    expect(response.body.error).toBe("invalid_request");
    expect(response.body.error_codes).toEqual([70021]);
    expect(response.body.error_description).toMatch(/^AADSTS70021: No matching federated identity record found for presented assertion\. Assertion Issuer: 'https:\/\/westeurope\.oic\.prod-aks\.azure\.com\//);
    await expect(exchange(CHECKOUT_CLIENT_ID, await serviceAccountToken("payments-aks", "payments", "api"))).rejects.toThrow(/AADSTS70021/);
  });

  it("answers AADSTS700213 when the issuer matches but the subject does not", async () => {
    const response = await rawExchange(PLATFORM_CLIENT_ID, await serviceAccountToken("platform-aks", "batch", "runner"));
    expect(response.body.error_codes).toEqual([700213]);
    expect(response.body.error_description).toContain("system:serviceaccount:batch:runner");
  });

  it("answers AADSTS700211 when the subject matches but the issuer lacks its trailing slash", async () => {
    // checkout-id's credential names the checkout-aks issuer without the trailing slash.
    const response = await rawExchange(CHECKOUT_CLIENT_ID, await serviceAccountToken("checkout-aks", "checkout", "web"));
    expect(response.body.error_codes).toEqual([700211]);
  });

  it("answers AADSTS700212 when issuer and subject match but the audience does not", async () => {
    const response = await rawExchange(PAYMENTS_CLIENT_ID, await serviceAccountToken("payments-aks", "payments", "api", "api://SomethingElse"));
    expect(response.body.error_codes).toEqual([700212]);
  });

  it("takes no cloud's token-exchange audience for another's: a token for api://AzureADTokenExchangeUSGov fails a credential listing api://AzureADTokenExchange", async () => {
    // As Entra answered in Azure China (hashicorp/terraform-provider-azuread#1755): the audience is matched exactly.
    const response = await rawExchange(PAYMENTS_CLIENT_ID, await serviceAccountToken("payments-aks", "payments", "api", "api://AzureADTokenExchangeUSGov"));
    expect(response.body.error_codes).toEqual([700212]);
    expect(response.body.error_description).toContain("presented assertion audience 'api://AzureADTokenExchangeUSGov'");
  });

  it("answers AADSTS700016 for a client id that nothing in the tenant has", async () => {
    const response = await rawExchange("00000000-0000-4000-8000-000000000000", await serviceAccountToken("payments-aks", "payments", "api"));
    expect(response.body).toMatchObject({ error: "unauthorized_client", error_codes: [700016] });
  });

  it("answers AADSTS70011 for a scope without /.default", async () => {
    const response = await rawExchange(PAYMENTS_CLIENT_ID, await serviceAccountToken("payments-aks", "payments", "api"), "https://management.azure.com");
    expect(response.body).toMatchObject({ error: "invalid_scope", error_codes: [70011] });
  });

  it("answers AADSTS700027 for an assertion it did not sign", async () => {
    const forged = [
      Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT" })).toString("base64url"),
      Buffer.from(JSON.stringify({ iss: "https://x/", sub: "system:serviceaccount:a:b", aud: ["api://AzureADTokenExchange"], exp: Math.floor(Date.now() / 1000) + 600 })).toString("base64url"),
      "c2lnbmF0dXJl",
    ].join(".");
    const response = await rawExchange(PAYMENTS_CLIENT_ID, forged);
    expect(response.body.error_codes).toEqual([700027]);
  });

  it("answers AADSTS90002 for another tenant", async () => {
    const response = await httpsRequest(sim, `${sim.authorityHost}/11111111-2222-4333-8444-555555555555/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: sim.scanner.clientId, client_secret: sim.scanner.clientSecret, scope: ARM }).toString(),
    });
    expect(response.body).toMatchObject({ error_codes: [90002] });
  });

  it("refuses a wrong client secret with AADSTS7000215", async () => {
    const response = await httpsRequest(sim, `${sim.authorityHost}/${sim.tenantId}/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: sim.scanner.clientId, client_secret: "wrong", scope: ARM }).toString(),
    });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: "invalid_client", error_codes: [7000215] });
  });
});

describe("the simulated Entra token endpoint, for an app registered in another tenant", () => {
  const HOME_TENANT_OF_APP = "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e";

  /** The mini fleet with legacy-batch registered in another tenant: its service principal here, application and credential there. */
  async function startWithForeignApp(signInAudience: string): Promise<Simulator> {
    const fleet = await loadFleet(MINI_FLEET_DIR);
    const app = fleet.azure.applications.find((a) => a.appId === LEGACY_APP_ID)!;
    fleet.azure.applications = fleet.azure.applications.filter((a) => a !== app);
    fleet.azure.foreignApplications = [{ ...app, signInAudience }];
    const sp = fleet.azure.servicePrincipals.find((p) => p.appId === LEGACY_APP_ID)!;
    sp.appOwnerOrganizationId = HOME_TENANT_OF_APP;
    return startFleetSimulator({ fleet });
  }

  it("exchanges a token its credential matches when the app is multi-tenant and provisioned here", async () => {
    const sim = await startWithForeignApp("AzureADMultipleOrgs");
    try {
      const token = await exchangeAt(sim, LEGACY_APP_ID, await serviceAccountTokenOf(sim, "platform-aks", "batch", "runner"));
      expect(token.token.split(".")).toHaveLength(3);
    } finally {
      await sim.close();
    }
  });

  it("answers AADSTS700016 when the app is single-tenant: it cannot sign in outside its home tenant", async () => {
    const sim = await startWithForeignApp("AzureADMyOrg");
    try {
      await expect(exchangeAt(sim, LEGACY_APP_ID, await serviceAccountTokenOf(sim, "platform-aks", "batch", "runner"))).rejects.toThrow(/AADSTS700016/);
    } finally {
      await sim.close();
    }
  });
});
