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
