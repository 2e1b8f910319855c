import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { accessFromKubeconfig, AKS_SERVER_APP_ID, resolveClusterAccess } from "../../shared/cluster/access.js";
import type { AksCluster } from "../../shared/inventory/model.js";

const cluster: AksCluster = {
  id: "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks",
  name: "aks",
  subscriptionId: "0b1f6471-1bf0-4dda-aec3-cb9272f09590",
  resourceGroup: "rg",
  location: "westeurope",
  tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  isPrivate: false,
  oidcIssuerEnabled: true,
  workloadIdentityEnabled: true,
  localAccountsDisabled: false,
};

/** A credential that records the scopes it is asked for. */
function recordingCredential(): TokenCredential & { scopes: string[] } {
  const scopes: string[] = [];
  return {
    scopes,
    async getToken(scope: string | string[]): Promise<AccessToken> {
      scopes.push(...[scope].flat());
      return { token: "entra-token", expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

function kubeconfig(user: Record<string, unknown>): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "aks", cluster: { server: "https://aks-dns-1.hcp.westeurope.azmk8s.io:443", "certificate-authority-data": "Q0EK" } }],
    contexts: [{ name: "aks", context: { cluster: "aks", user: "clusterUser_rg_aks" } }],
    "current-context": "aks",
    users: [{ name: "clusterUser_rg_aks", user }],
  });
}

describe("accessFromKubeconfig", () => {
  it("replaces kubelogin with a token for the server application named in its arguments", async () => {
    const credential = recordingCredential();
    const result = accessFromKubeconfig(cluster, kubeconfig({ exec: { command: "kubelogin", args: ["get-token", "--server-id", AKS_SERVER_APP_ID] } }), credential);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.access).toMatchObject({ server: "https://aks-dns-1.hcp.westeurope.azmk8s.io:443", caData: "Q0EK", authentication: "entra" });
    expect(await result.access.bearerToken?.()).toBe("entra-token");
    await result.access.bearerToken?.();
    expect(credential.scopes).toEqual([`${AKS_SERVER_APP_ID}/.default`]);
  });

  it("uses the static token and client certificate of a cluster without Entra integration", async () => {
    const result = accessFromKubeconfig(cluster, kubeconfig({ token: "static", "client-certificate-data": "Y2VydA==", "client-key-data": "a2V5" }), recordingCredential());
    if (!result.ok) throw new Error(result.error.message);
    expect(result.access.authentication).toBe("cluster-user");
    expect(await result.access.bearerToken?.()).toBe("static");
    expect(result.access.clientCertificate?.()).toEqual({ certData: "Y2VydA==", keyData: "a2V5" });
  });

  it("refuses a credential that carries no way to authenticate", () => {
    const result = accessFromKubeconfig(cluster, kubeconfig({}), recordingCredential());
    expect(result).toMatchObject({ ok: false, error: { kind: "unauthorized" } });
  });
});

describe("resolveClusterAccess", () => {
  it("reports a refused listClusterUserCredential as forbidden on that ARM action", async () => {
    const refusing = {
      managedClusters: {
        listClusterUserCredentials: () =>
          Promise.reject(Object.assign(new Error("The client 'abc' does not have authorization to perform action"), { statusCode: 403, code: "AuthorizationFailed" })),
      },
    };
    const result = await resolveClusterAccess(cluster, { containerService: refusing, credential: recordingCredential() });
    expect(result).toEqual({
      ok: false,
      error: {
        kind: "forbidden",
        resource: "Microsoft.ContainerService/managedClusters/listClusterUserCredential",
        verb: "action",
        group: "Microsoft.ContainerService",
        httpStatus: 403,
        message: "The client 'abc' does not have authorization to perform action",
      },
    });
  });
});
