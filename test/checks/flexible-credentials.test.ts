/**
 * Flexible federated credentials (claimsMatchingExpression, no subject) in the
 * checks: never malformed, never crashing, harmless beside cluster
 * credentials, and said plainly when a service account relies on one for a
 * cluster issuer (Entra matches them only for GitHub, GitLab and Terraform
 * Cloud tokens).
 */
import { describe, expect, it } from "vitest";
import { trusts } from "../../shared/checks/credential-match.js";
import { admitsFlexibly, evaluateExpression, flexibleIssuer, parseExpression, wildcardMatches } from "../../shared/checks/flexible-credentials.js";
import { APP_CLIENT_ID, ISSUER, SUBJECT, app, credential, findingsOfSelection, fires, first, flexibleCredential, healthyFleet, identity, only, quiet, serviceAccount } from "./builders.js";

const GITHUB = "https://token.actions.githubusercontent.com";
const CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";

describe("a flexible credential on GitHub beside the cluster credential", () => {
  it("disturbs no check: the cluster credential still admits the service account", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [credential(), flexibleCredential("claims['sub'] matches 'repo:contoso/orders:*'", { name: "gh-deploy", issuer: GITHUB })] })];
    expect(findingsOfSelection({}, fleet)).toEqual([]);
  });

  it("on an app registration whose Graph read returned no expression (v1.0), neither", () => {
    const fleet = healthyFleet();
    fleet.inventory.applications = [app({ federatedCredentials: [credential(), flexibleCredential(undefined, { name: "gh-deploy", issuer: GITHUB })] })];
    first(fleet).serviceAccounts = [serviceAccount("orders", "orders-sa", { [CLIENT_ID_ANNOTATION]: APP_CLIENT_ID })];
    for (const id of ["sa.no-matching-fic", "fic.issuer-mismatch", "fic.subject-malformed", "fic.dangling", "fic.unknown-issuer", "fic.audience-missing"] as const) quiet(id, fleet);
  });
});

describe("a service account relying on a flexible credential for its cluster's issuer", () => {
  const relying = (value: string | undefined) => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [flexibleCredential(value, { name: "orders-wildcard" })] })];
    return fleet;
  };

  it("is reported by sa.no-matching-fic, saying Entra does not honour flexible credentials for AKS issuers", () => {
    const f = only(fires("sa.no-matching-fic", relying("claims['sub'] matches 'system:serviceaccount:orders:*'")));
    expect(f.title).toMatch(/flexible federated credential/);
    expect(f.evidence).toMatchObject({ flexibleCredential: "orders-wildcard", expressionWouldMatch: "match", flexibleIssuersSupported: "GitHub, GitLab, Terraform Cloud" });
    expect(f.remediation.text).toMatch(/gets no token/);
    expect(f.remediation.command).toContain("--subject system:serviceaccount:orders:orders-sa");
  });

  it("says when the expression is unknown (the stable API read) or would not match anyway", () => {
    expect(only(fires("sa.no-matching-fic", relying(undefined))).evidence).toMatchObject({ claimsMatchingExpression: "(not returned by the API)", expressionWouldMatch: "unknown" });
    expect(only(fires("sa.no-matching-fic", relying("claims['sub'] eq 'system:serviceaccount:billing:api'"))).evidence).toMatchObject({ expressionWouldMatch: "no-match" });
  });

  it("is never fic.subject-malformed (its subject is absent by design), nor dangling, nor a missing audience", () => {
    const fleet = relying("claims['sub'] matches 'system:serviceaccount:orders:*'");
    fleet.inventory.identities[0]!.federatedCredentials[0]!.audiences = [];
    quiet("fic.subject-malformed", fleet);
    quiet("fic.dangling", fleet);
    quiet("fic.audience-missing", fleet);
    quiet("fic.issuer-mismatch", fleet);
  });

  it("an exact credential next to it wins: nothing to report", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities = [identity({ federatedCredentials: [flexibleCredential("claims['sub'] matches 'system:serviceaccount:orders:*'"), credential()] })];
    quiet("sa.no-matching-fic", fleet);
  });
});

describe("trusts()", () => {
  it("compares issuer and an exact subject exactly", () => {
    expect(trusts(credential(), ISSUER, SUBJECT)).toBe(true);
    expect(trusts(credential(), ISSUER.slice(0, -1), SUBJECT)).toBe(false);
    expect(trusts(credential(), ISSUER, SUBJECT.toUpperCase())).toBe(false);
  });

  it("admits nothing through a flexible credential for an issuer Entra does not match flexibly (every AKS issuer today)", () => {
    expect(trusts(flexibleCredential("claims['sub'] matches '*'"), ISSUER, SUBJECT)).toBe(false);
  });

  it("evaluates the expression for a supported issuer", () => {
    const gh = flexibleCredential("claims['sub'] matches 'repo:contoso/*:ref:refs/heads/????'", { issuer: GITHUB });
    expect(trusts(gh, GITHUB, "repo:contoso/orders:ref:refs/heads/main")).toBe(true);
    expect(trusts(gh, GITHUB, "repo:contoso/orders:ref:refs/heads/develop")).toBe(false);
    expect(trusts(flexibleCredential(undefined, { issuer: GITHUB }), GITHUB, "repo:contoso/orders:ref:refs/heads/main")).toBe(false);
  });
});

describe("the flexible expression language (Entra's documented subset)", () => {
  it("keeps the supported issuers as data: GitHub, GitLab (any gitlab.<x>.com/.ca), Terraform Cloud", () => {
    expect(flexibleIssuer(GITHUB)?.platform).toBe("GitHub");
    expect(flexibleIssuer("https://gitlab.com")?.platform).toBe("GitLab");
    expect(flexibleIssuer("https://gitlab.example.ca")?.platform).toBe("GitLab");
    expect(flexibleIssuer("https://app.eu.terraform.io")?.platform).toBe("Terraform Cloud");
    expect(flexibleIssuer(ISSUER)).toBeUndefined();
    expect(flexibleIssuer("https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/")).toBeUndefined();
  });

  it("parses claims['x'] eq|matches 'y' joined by and; anything else is unknown", () => {
    expect(parseExpression("claims['sub'] eq 'a' and claims['job_workflow_ref'] matches 'b/*'")).toEqual([
      { claim: "sub", operator: "eq", comparand: "a" },
      { claim: "job_workflow_ref", operator: "matches", comparand: "b/*" },
    ]);
    // The ARM example (FlexibleFederatedIdentityCredentialGet.json) leaves its comparand unquoted: not the documented grammar.
    expect(parseExpression("claims['sub'] matches system:serviceaccount:ns:*")).toBeUndefined();
    expect(parseExpression("claims['sub'] startswith 'a'")).toBeUndefined();
    expect(evaluateExpression("claims['sub'] or 'x'", { sub: "x" })).toBe("unknown");
  });

  it("matches ? as one character and * as any run, literally otherwise and case-sensitively", () => {
    expect(wildcardMatches("system:serviceaccount:orders:*", SUBJECT)).toBe(true);
    expect(wildcardMatches("system:serviceaccount:orders:orders-s?", SUBJECT)).toBe(true);
    expect(wildcardMatches("system:serviceaccount:Orders:*", SUBJECT)).toBe(false);
    expect(wildcardMatches("a.b", "axb")).toBe(false);
  });

  it("fails an and-clause on a claim the token does not carry, and a claim or operator the platform does not support is unknown", () => {
    expect(evaluateExpression("claims['sub'] eq 'x' and claims['job_workflow_ref'] eq 'y'", { sub: "x" })).toBe("no-match");
    expect(admitsFlexibly("https://gitlab.com", { value: "claims['job_workflow_ref'] eq 'y'" }, "x")).toBe("unknown");
    expect(admitsFlexibly(ISSUER, { value: "claims['sub'] matches '*'" }, SUBJECT)).toBe("unsupported-issuer");
  });
});
