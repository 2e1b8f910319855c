/**
 * A sovereign cloud is one setting: every client of the scan asks for tokens
 * of that cloud's ARM and Microsoft Graph and talks to their endpoints, never
 * to the public cloud's. The real SDK clients, with a credential that records
 * what it is asked and refuses, so that no request leaves the machine.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import { AZURE_CLOUDS, cloudEndpoints, createAzureClients } from "../../shared/azure/index.js";
import { loadConfig } from "../../shared/config/index.js";
import { acceptedTokenAudiences, aksIssuerCloud } from "../../shared/checks/aks-clouds.js";

function refusingCredential(): TokenCredential & { scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    async getToken(scope: string | string[], _options?: GetTokenOptions): Promise<AccessToken | null> {
      scopes.push(...[scope].flat());
      throw new Error("no token in this test");
    },
  };
}

describe("AZURE_CLOUD", () => {
  it("defaults to the public cloud and refuses a cloud it does not know", () => {
    expect(loadConfig({}).cloud).toBe("AzurePublicCloud");
    expect(loadConfig({ AZURE_CLOUD: "AzureUSGovernment" }).cloud).toBe("AzureUSGovernment");
    expect(() => loadConfig({ AZURE_CLOUD: "AzureGermanCloud" })).toThrow(/AZURE_CLOUD/);
  });

  for (const cloud of AZURE_CLOUDS) {
    it(`${cloud}: Resource Graph, ARM and Microsoft Graph ask for that cloud's tokens`, async () => {
      const credential = refusingCredential();
      const clients = createAzureClients({ credential, cloud, maxRetries: 0 });
      const endpoints = cloudEndpoints(cloud);
      expect(clients.armEndpoint).toBe(endpoints.armEndpoint);
      expect(clients.graphEndpoint).toBe(endpoints.graphEndpoint);

      await expect(clients.resourceGraph.resources({ query: "resources | take 1" })).rejects.toThrow();
      await expect(clients.managedIdentity("00000000-0000-0000-0000-000000000001").userAssignedIdentities.listBySubscription().next()).rejects.toThrow();
      await expect(clients.graph.get("/v1.0/organization")).rejects.toThrow();
      expect(new Set(credential.scopes)).toEqual(new Set([`${endpoints.armEndpoint}/.default`, `${endpoints.graphEndpoint}/.default`]));
      expect(clients.armScope).toBe(`${endpoints.armEndpoint}/.default`);
    });
  }

  it("keeps each cloud's Entra authority host apart", () => {
    const hosts = AZURE_CLOUDS.map((c) => cloudEndpoints(c).authorityHost);
    expect(new Set(hosts).size).toBe(AZURE_CLOUDS.length);
    expect(cloudEndpoints("AzureChinaCloud").authorityHost).toBe("https://login.chinacloudapi.cn");
    expect(cloudEndpoints("AzureUSGovernment").authorityHost).toBe("https://login.microsoftonline.us");
  });
});

/**
 * What a cluster's issuer says about its cloud, on the issuer forms the
 * sources show (docs/checks.md, "Sovereign clouds: the facts"), and which
 * audiences a workload's projected token can carry there.
 */
describe("AKS issuers and token audiences by cloud", () => {
  const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  const GUID = "3f2b8c1e-5d4a-4e6f-9a8b-7c6d5e4f3a2b";

  it("tells the cloud from the issuer's host, and nothing from a host of another form", () => {
    expect(aksIssuerCloud(`https://eastus.oic.prod-aks.azure.com/${TENANT}/${GUID}/`)).toBe("AzurePublicCloud");
    expect(aksIssuerCloud(`https://oidc.prod-aks.azure.com/${GUID}/`)).toBe("AzurePublicCloud");
    expect(aksIssuerCloud(`https://ib.oic.prod-aks.azure.com/${TENANT}/${GUID}`)).toBe("AzurePublicCloud");
    expect(aksIssuerCloud(`https://usgovvirginia.oic.prod-aks.azure.us/${TENANT}/${GUID}/`)).toBe("AzureUSGovernment");
    expect(aksIssuerCloud(`https://chinanorth2.oic.prod-aks.azure.cn/${TENANT}/${GUID}/`)).toBe("AzureChinaCloud");
    expect(aksIssuerCloud("https://token.actions.githubusercontent.com")).toBeUndefined();
    expect(aksIssuerCloud("https://eastus.oic.prod-aks.azure.com.attacker.example/x/")).toBeUndefined();
    expect(aksIssuerCloud("not a url")).toBeUndefined();
  });

  it("accepts only the webhook's default in the public cloud, and the cloud's own Entra audience beside it in the sovereign ones", () => {
    expect(acceptedTokenAudiences(`https://eastus.oic.prod-aks.azure.com/${TENANT}/${GUID}/`)).toEqual(["api://AzureADTokenExchange"]);
    expect(acceptedTokenAudiences(`https://usgovvirginia.oic.prod-aks.azure.us/${TENANT}/${GUID}/`)).toEqual(["api://AzureADTokenExchange", "api://AzureADTokenExchangeUSGov"]);
    expect(acceptedTokenAudiences(`https://chinanorth2.oic.prod-aks.azure.cn/${TENANT}/${GUID}/`)).toEqual(["api://AzureADTokenExchange", "api://AzureADTokenExchangeChina"]);
    // A cluster without an issuer, or one of a form the scan does not know: the webhook's default, as before.
    expect(acceptedTokenAudiences(undefined)).toEqual(["api://AzureADTokenExchange"]);
    expect(acceptedTokenAudiences("https://issuer.example/")).toEqual(["api://AzureADTokenExchange"]);
  });
});
