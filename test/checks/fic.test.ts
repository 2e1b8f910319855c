import { describe, expect, it } from "vitest";
import {
  APP_CLIENT_ID,
  CLIENT_ID,
  CLUSTER_GUID,
  ISSUER,
  NS,
  OTHER_ISSUER,
  SA,
  SUBJECT,
  TENANT,
  app,
  cluster,
  credential,
  findingsOf,
  findingsOfSelection,
  first,
  fires,
  healthyFleet,
  identity,
  only,
  pod,
  quiet,
  snapshot,
} from "./builders.js";

describe("fic.issuer-mismatch", () => {
  it("reports a credential whose issuer lacks the trailing slash and says so", () => {
    const fleet = healthyFleet();
    const noSlash = ISSUER.slice(0, -1);
    fleet.inventory.identities = [identity({ federatedCredentials: [credential({ issuer: noSlash })] })];
    const f = only(fires("fic.issuer-mismatch", fleet));
    expect(f.severity).toBe("high");
    expect(f.title).toBe("Federated credential's issuer differs from the cluster's by trailing slash");
    expect(f.evidence).toMatchObject({ expectedIssuer: ISSUER, foundIssuer: noSlash, differs: "trailing slash" });
    expect(f.resource).toMatchObject({ kind: "ServiceAccount", name: SA, credentialName: "aks-prod-orders", identityClientId: CLIENT_ID });
    expect(f.remediation.command).toBe(
      "az identity federated-credential update --name aks-prod-orders --identity-name id-orders --resource-group rg-identities " +
        `--subscription 0b1f6471-1bf0-4dda-aec3-cb9272f09590 --issuer ${ISSUER} --subject ${SUBJECT} --audiences api://AzureADTokenExchange`,
    );
    // One problem, one finding.
    quiet("sa.no-matching-fic", fleet);
  });

  it("tells a difference of case from one of the trailing slash", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [credential({ issuer: ISSUER.replace("eastus", "EastUS") })] })];
    expect(only(fires("fic.issuer-mismatch", fleet)).evidence.differs).toBe("case");
  });

  it("reports the old issuer of a re-created cluster", () => {
    const fleet = healthyFleet();
    const stale = `https://eastus.oic.prod-aks.azure.com/${fleet.inventory.tenantId}/00000000-1111-4222-8333-444444444444/`;
    fleet.inventory.identities = [identity({ federatedCredentials: [credential({ issuer: stale })] })];
    const f = only(fires("fic.issuer-mismatch", fleet));
    expect(f.evidence.differs).toBe("different issuer");
    expect(f.title).toBe("Federated credential trusts an issuer that is no longer this cluster's");
  });

  it("does not treat another scanned cluster's credential as a mismatch: that cluster owns it", () => {
    const fleet = healthyFleet();
    const staging = cluster({ name: "aks-staging", oidcIssuerUrl: OTHER_ISSUER });
    fleet.inventory.clusters.push(staging);
    fleet.inventory.identities = [identity({ federatedCredentials: [credential({ name: "aks-staging-orders", issuer: OTHER_ISSUER })] })];
    quiet("fic.issuer-mismatch", fleet);
    const f = only(fires("sa.no-matching-fic", fleet));
    expect(f.resource.cluster).toBe("aks-prod");
    expect(f.evidence.differs).toBe("issuer is cluster aks-staging's");
    expect(f.remediation.text).toContain("keep it and add a separate one");
  });

  it("stays quiet when one identity federates many clusters correctly", () => {
    const fleet = healthyFleet();
    const staging = cluster({ name: "aks-staging", oidcIssuerUrl: OTHER_ISSUER });
    fleet.inventory.clusters.push(staging);
    fleet.inventory.identities = [identity({ federatedCredentials: [credential(), credential({ name: "aks-staging-orders", issuer: OTHER_ISSUER })] })];
    fleet.snapshots.push(snapshot({ cluster: staging }));
    quiet("fic.issuer-mismatch", fleet);
    quiet("sa.no-matching-fic", fleet);
    quiet("fic.dangling", fleet);
    quiet("fic.unknown-issuer", fleet);
  });
});

describe("fic.subject-malformed", () => {
  it("reports a subject with upper case and suggests the lower-case one", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [credential(), credential({ name: "typo", subject: "system:serviceaccount:Orders:Orders-SA" })] })];
    const f = only(fires("fic.subject-malformed", fleet));
    expect(f.resource).toMatchObject({ kind: "FederatedCredential", name: "typo", credentialName: "typo", resourceGroup: "rg-identities" });
    expect(f.evidence.suggestedSubject).toBe(SUBJECT);
    expect(f.remediation.command).toContain(`--subject ${SUBJECT}`);
  });

  it("reports a subject without the system:serviceaccount prefix", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [credential({ subject: `${NS}:${SA}` })] })];
    expect(only(fires("fic.subject-malformed", fleet)).remediation.command).toBeUndefined();
  });

  it("stays quiet for credentials of other issuers, such as GitHub Actions", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [
      identity({ federatedCredentials: [credential(), credential({ name: "gh", issuer: "https://token.actions.githubusercontent.com", subject: "repo:contoso/orders:ref:refs/heads/main" })] }),
    ];
    quiet("fic.subject-malformed", fleet);
    quiet("fic.unknown-issuer", fleet);
  });
});

describe("fic.audience-missing", () => {
  it("reports a credential for the cluster with another audience", () => {
    const fleet = healthyFleet();
    fleet.inventory.applications = [app({ federatedCredentials: [credential({ name: "orders", audiences: ["api://AzureADTokenExchange/"] })] })];
    const f = only(fires("fic.audience-missing", fleet));
    expect(f.resource).toMatchObject({ kind: "FederatedCredential", identityId: `app:${APP_CLIENT_ID}` });
    expect(f.evidence).toMatchObject({ expectedAudience: "api://AzureADTokenExchange", foundAudiences: "api://AzureADTokenExchange/" });
    expect(f.remediation.command).toContain("az ad app federated-credential update --id");
  });

  it("stays quiet when the audience is right", () => {
    quiet("fic.audience-missing", healthyFleet());
  });

  it("keeps one audience for a public-cloud cluster: a sovereign cloud's value is wrong there", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [credential({ audiences: ["api://AzureADTokenExchangeUSGov"] })] })];
    expect(only(fires("fic.audience-missing", fleet)).evidence).toMatchObject({ expectedAudience: "api://AzureADTokenExchange" });
  });

  // docs/checks.md "Sovereign clouds: the facts": the webhook projects api://AzureADTokenExchange unless AKS passes
  // --audience, which is not published for Azure Government or 21Vianet, whose Entra names its own token-exchange audience.
  for (const [cloud, host, own] of [
    ["Azure Government", "usgovvirginia.oic.prod-aks.azure.us", "api://AzureADTokenExchangeUSGov"],
    ["Azure operated by 21Vianet", "chinanorth3.oic.prod-aks.azure.cn", "api://AzureADTokenExchangeChina"],
  ] as const) {
    /** A cluster of that cloud, and its pods' projected token when one is given (none seen otherwise). */
    const sovereignFleet = (audiences: string[], podAudience?: string) => {
      const issuer = `https://${host}/${TENANT}/${CLUSTER_GUID}/`;
      const fleet = healthyFleet();
      const pods = podAudience === undefined ? [] : [pod({ projectedTokenVolumes: [{ volumeName: "azure-workload-identity-reserved-6f1c2", audience: podAudience, path: "azure-identity-token" }] })];
      fleet.inventory.clusters = [cluster({ oidcIssuerUrl: issuer })];
      fleet.snapshots = [snapshot({ cluster: cluster({ oidcIssuerUrl: issuer }), pods })];
      fleet.inventory.identities = [identity({ federatedCredentials: [credential({ issuer, audiences })] })];
      return fleet;
    };

    it(`${cloud}: accepts both the webhook's default and the cloud's own token-exchange audience while no pod shows which one AKS projects (unpublished)`, () => {
      quiet("fic.audience-missing", sovereignFleet([own]));
      quiet("fic.audience-missing", sovereignFleet(["api://AzureADTokenExchange"]));
    });

    it(`${cloud}: reports an audience that is neither, naming both`, () => {
      const f = only(fires("fic.audience-missing", sovereignFleet(["api://AzureADTokenExchangeUSNat"])));
      expect(f.evidence).toMatchObject({ expectedAudience: `api://AzureADTokenExchange or ${own}`, foundAudiences: "api://AzureADTokenExchangeUSNat" });
      expect(f.remediation.text).toContain("projected token");
    });

    it(`${cloud}: takes the audience the cluster's pods carry as the one, and writes it in the command`, () => {
      quiet("fic.audience-missing", sovereignFleet([own], own));
      const f = only(fires("fic.audience-missing", sovereignFleet(["api://AzureADTokenExchange"], own)));
      expect(f.evidence).toMatchObject({ expectedAudience: own, seenOnPods: true });
      expect(f.remediation.command).toContain(`--audiences ${own}`);
      expect(only(fires("fic.audience-missing", sovereignFleet([own], "api://AzureADTokenExchange"))).evidence).toMatchObject({ expectedAudience: "api://AzureADTokenExchange" });
    });

    it(`${cloud}: a fix of the issuer keeps the cloud's own audience, and a new credential gets the one the pods carry`, () => {
      const fleet = sovereignFleet([own], own);
      const issuer = first(fleet).cluster.oidcIssuerUrl ?? "";
      fleet.inventory.identities = [identity({ federatedCredentials: [credential({ issuer: issuer.slice(0, -1), audiences: [own] })] })];
      expect(only(fires("fic.issuer-mismatch", fleet)).remediation.command).toContain(`--audiences ${own}`);
      fleet.inventory.identities = [identity({ federatedCredentials: [] })];
      expect(only(fires("sa.no-matching-fic", fleet)).remediation.command).toContain(`--audiences ${own}`);
    });
  }
});

describe("fic.dangling", () => {
  it("reports a credential trusting a service account that does not exist", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [
      identity({ federatedCredentials: [credential(), credential({ name: "payments", subject: "system:serviceaccount:payments:payments-sa" })] }),
    ];
    const f = only(fires("fic.dangling", fleet));
    expect(f.severity).toBe("high");
    expect(f.evidence).toMatchObject({ missingServiceAccount: "payments/payments-sa", namespaceExists: false });
    expect(f.remediation.command).toBe(
      "az identity federated-credential delete --name payments --identity-name id-orders --resource-group rg-identities --subscription 0b1f6471-1bf0-4dda-aec3-cb9272f09590 --yes",
    );
  });

  it("keeps the same id across scans for the same credential", () => {
    const make = () => {
      const fleet = healthyFleet();
      fleet.inventory.identities = [identity({ federatedCredentials: [credential({ subject: "system:serviceaccount:payments:payments-sa" })] })];
      return fleet;
    };
    expect(only(fires("fic.dangling", make())).id).toBe(only(fires("fic.dangling", make())).id);
  });

  it("stays quiet when service accounts could not be listed in that namespace", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [credential({ subject: "system:serviceaccount:payments:payments-sa" })] })];
    first(fleet).errors = [{ kind: "forbidden", resource: "serviceaccounts", verb: "list", namespace: "payments", message: "no" }];
    quiet("fic.dangling", fleet);
  });

  it("stays quiet when the service account exists", () => {
    quiet("fic.dangling", healthyFleet());
  });
});

describe("fic.unknown-issuer", () => {
  it("reports a credential for an AKS issuer no cluster has, once for the fleet", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [credential(), credential({ name: "old", issuer: OTHER_ISSUER })] })];
    fleet.snapshots.push(snapshot({ cluster: cluster({ name: "aks-second", oidcIssuerUrl: ISSUER.replace("3f2b", "4f2b") }) }));
    const f = only(fires("fic.unknown-issuer", fleet));
    expect(f.severity).toBe("medium");
    expect(f.resource).toMatchObject({ kind: "FederatedCredential", credentialName: "old" });
  });

  it("reports low when the scan could not see every subscription", () => {
    const fleet = healthyFleet();
    fleet.inventory.complete = false;
    fleet.inventory.identities = [identity({ federatedCredentials: [credential({ name: "old", issuer: OTHER_ISSUER })] })];
    expect(only(fires("fic.unknown-issuer", fleet)).severity).toBe("low");
  });

  it("leaves a near miss of a known issuer to fic.issuer-mismatch", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [credential({ issuer: ISSUER.slice(0, -1) })] })];
    quiet("fic.unknown-issuer", fleet);
  });

  it("leaves a re-created cluster's old issuer to fic.issuer-mismatch, which says whose it was", () => {
    const fleet = healthyFleet();
    const stale = `https://eastus.oic.prod-aks.azure.com/${TENANT}/00000000-1111-4222-8333-444444444444/`;
    fleet.inventory.identities = [
      identity({ federatedCredentials: [credential({ issuer: stale }), credential({ name: "dr", issuer: OTHER_ISSUER, subject: "system:serviceaccount:orders:dr" })] }),
    ];
    // Run alone, fic.unknown-issuer reports both; run together, the claimed credential is reported once.
    expect(findingsOf("fic.unknown-issuer", fleet).map((f) => f.resource.credentialName).sort()).toEqual(["aks-prod-orders", "dr"]);
    const together = findingsOfSelection({ include: ["fic.issuer-mismatch", "fic.unknown-issuer"] }, fleet);
    expect(together.map((f) => `${f.checkId} ${f.resource.credentialName}`).sort()).toEqual([
      "fic.issuer-mismatch aks-prod-orders",
      "fic.unknown-issuer dr",
    ]);
  });
});

describe("fic.limit-near", () => {
  const many = (n: number) =>
    Array.from({ length: n }, (_, i) => credential({ name: `c${i}`, subject: `system:serviceaccount:${NS}:sa-${i}` }));

  it("reports an identity holding 18 of its 20 credentials", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [credential(), ...many(17)] })];
    const f = only(fires("fic.limit-near", fleet));
    expect(f.severity).toBe("low");
    expect(f.evidence).toEqual({ credentials: 18, limit: 20 });
    expect(f.resource.kind).toBe("ManagedIdentity");
  });

  it("says when the limit is reached", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [credential(), ...many(19)] })];
    expect(only(fires("fic.limit-near", fleet)).title).toBe("Identity has reached its limit of 20 federated credentials");
  });

  it("stays quiet at 17 credentials", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [credential(), ...many(16)] })];
    quiet("fic.limit-near", fleet);
  });
});

