/**
 * Contract tests for the federated-credential mapping: the examples Azure and
 * Microsoft publish of a flexible credential, fed through the code that maps
 * ARM and Graph answers.
 *
 * examples/FlexibleFederatedIdentityCredentialGet.json is copied byte for byte
 * from Azure/azure-rest-api-specs,
 * specification/msi/resource-manager/Microsoft.ManagedIdentity/preview/2025-01-31-preview/examples/FlexibleFederatedIdentityCredentialGet.json
 * (commit 4c95bb2873f0a0c29340e1fe1e7963fcbf9dc0b2, MIT licence).
 *
 * examples/graph-FlexFic1.json is the credential of the `az rest` example in
 * MicrosoftDocs/entra-docs docs/workload-id/workload-identities-flexible-federated-identity-credentials.md
 * ("Azure CLI, Azure PowerShell, and Terraform providers"), its single-quoted
 * body rewritten as JSON. Graph returns it with `subject: null` (beta
 * federatedIdentityCredential resource type: "If claimsMatchingExpression is
 * defined, subject must be null"), and from v1.0 without the expression.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fromArmCredential, fromGraphCredential } from "../../shared/inventory/credential-trust.js";
import { trusts } from "../../shared/checks/credential-match.js";

const read = (name: string): unknown => JSON.parse(readFileSync(new URL(`./examples/${name}`, import.meta.url), "utf8"));

describe("flexible credentials as Azure publishes them", () => {
  it("maps ARM's FlexibleFederatedIdentityCredentialGet (2025-01-31-preview): flexible, expression kept, no subject", () => {
    const example = read("FlexibleFederatedIdentityCredentialGet.json") as { responses: { 200: { body: Record<string, unknown> } } };
    const credential = fromArmCredential(example.responses[200].body);
    expect(credential).toEqual({
      id: "/subscriptions/c267c0e7-0a73-4789-9e17-d26aeb0904e5/resourcegroups/rgName/providers/Microsoft.ManagedIdentity/userAssignedIdentities/identityName/federatedIdentityCredentials/ficResourceName",
      name: "ficResourceName",
      issuer: "https://oidc.prod-aks.azure.com/TenantGUID/IssuerGUID",
      trust: { kind: "flexible", expression: { languageVersion: 1, value: "claims['sub'] matches system:serviceaccount:ns:*" } },
      audiences: ["api://AzureADTokenExchange"],
    });
    // Its issuer is an AKS one: Entra does not match flexible credentials for it, so it admits no service account.
    expect(trusts(credential, credential.issuer, "system:serviceaccount:ns:api")).toBe(false);
  });

  it("maps the same credential from the stable api-version, which omits the expression: flexible, expression unknown", () => {
    const example = read("FlexibleFederatedIdentityCredentialGet.json") as { responses: { 200: { body: { properties: Record<string, unknown> } } } };
    const { claimsMatchingExpression: _dropped, ...properties } = example.responses[200].body.properties;
    expect(fromArmCredential({ ...example.responses[200].body, properties }).trust).toEqual({ kind: "flexible" });
  });

  it("maps the Entra docs' Graph example (beta: subject null, expression) and its v1.0 form (subject null only)", () => {
    const body = read("graph-FlexFic1.json") as Record<string, unknown>;
    const beta = fromGraphCredential({ ...body, id: "adab08eb-b523-3601-d455-7dffb7c44a9b", subject: null });
    expect(beta.trust).toEqual({ kind: "flexible", expression: { value: "claims['sub'] matches 'repo:contoso/contoso-org:ref:refs/heads/*'", languageVersion: 1 } });
    expect(trusts(beta, "https://token.actions.githubusercontent.com", "repo:contoso/contoso-org:ref:refs/heads/main")).toBe(true);
    const { claimsMatchingExpression: _v1Lacks, ...v1 } = body;
    expect(fromGraphCredential({ ...v1, subject: null }).trust).toEqual({ kind: "flexible" });
  });

  it("maps an exact credential of either API to an exact trust", () => {
    expect(fromGraphCredential({ name: "a", issuer: "https://x/", subject: "system:serviceaccount:a:b", audiences: ["api://AzureADTokenExchange"] }).trust).toEqual({ kind: "exact", subject: "system:serviceaccount:a:b" });
    expect(fromArmCredential({ name: "a", properties: { issuer: "https://x/", subject: "system:serviceaccount:a:b", claimsMatchingExpression: null } }).trust).toEqual({ kind: "exact", subject: "system:serviceaccount:a:b" });
  });
});
