import { describe, expect, it } from "vitest";
import { DigestError, parseDigestRoutes, planAudiences, planRouting, teamAudienceId } from "../../shared/digest/index.js";
import { allowedTagDomains } from "../../shared/digest/tag-domains.js";

const A = "11111111-1111-1111-1111-111111111111";
const B = "22222222-2222-2222-2222-222222222222";
const C = "33333333-3333-3333-3333-333333333333";

describe("digest routing", () => {
  it("parses DIGEST_ROUTES entries of subscriptions and addresses", () => {
    expect(parseDigestRoutes(` ${A}=pay@example.com ; ${B},${C.toUpperCase()}=web@example.com,lead@example.com;`)).toEqual([
      { subscriptions: [A], recipients: ["pay@example.com"] },
      { subscriptions: [B, C], recipients: ["web@example.com", "lead@example.com"] },
    ]);
    expect(parseDigestRoutes(undefined)).toEqual([]);
  });

  it("rejects a route without a subscription id or with a bad address, naming the entry", () => {
    expect(() => parseDigestRoutes("payments=pay@example.com")).toThrow(DigestError);
    expect(() => parseDigestRoutes(`${A}=not-an-address`)).toThrow(/not an email address/);
    expect(() => parseDigestRoutes(`${A}`)).toThrow(/needs the form/);
  });

  it("sends the fleet to the default list and each team its own subscriptions, once per person", () => {
    const audiences = planAudiences(
      {
        defaultRecipients: ["security@example.com"],
        routes: parseDigestRoutes(`${A}=pay@example.com,lead@example.com;${B}=web@example.com,lead@example.com;${C}=security@example.com`),
      },
      [A, B, C],
    );
    expect(audiences).toEqual([
      { id: "fleet", recipients: ["security@example.com"] },
      { id: teamAudienceId([A]), subscriptions: [A], recipients: ["pay@example.com"] },
      { id: teamAudienceId([A, B]), subscriptions: [A, B], recipients: ["lead@example.com"] },
      { id: teamAudienceId([B]), subscriptions: [B], recipients: ["web@example.com"] },
    ]);
  });

  it("routes by a subscription tag such as owner-email, ignoring values that are not addresses", () => {
    const audiences = planAudiences(
      {
        defaultRecipients: [],
        routeTag: "owner-email",
        allowedDomains: ["example.com"],
        subscriptionTags: new Map<string, Record<string, string>>([
          [A, { "Owner-Email": "pay@example.com; <img src=x>" }],
          [B, { costCenter: "42" }],
        ]),
      },
      [A, B],
    );
    expect(audiences).toEqual([{ id: teamAudienceId([A]), subscriptions: [A], recipients: ["pay@example.com"] }]);
  });

  it("accepts tag addresses only in the allowed domains (exactly, no subdomains), and none without any", () => {
    const tags = new Map<string, Record<string, string>>([[A, { "owner-email": "pay@example.com, x@EXAMPLE.com, y@eu.example.com, z@evil.test" }]]);
    const plan = planRouting({ defaultRecipients: ["security@example.com"], routeTag: "owner-email", subscriptionTags: tags, allowedDomains: ["example.com"] }, [A]);
    expect(plan.audiences[1]).toEqual({ id: teamAudienceId([A]), subscriptions: [A], recipients: ["pay@example.com", "x@EXAMPLE.com"] });
    expect(plan.refused).toEqual([
      { subscriptionId: A, domain: "eu.example.com", reason: "domain-not-allowed" },
      { subscriptionId: A, domain: "evil.test", reason: "domain-not-allowed" },
    ]);
    const none = planRouting({ defaultRecipients: [], routeTag: "owner-email", subscriptionTags: tags }, [A]);
    expect(none.audiences).toEqual([]);
    expect(none.refused).toHaveLength(3);
  });

  it("takes the allowed domains from DIGEST_ALLOWED_DOMAINS, else from the recipients and the sender", () => {
    expect(allowedTagDomains({ allowedDomains: ["Contoso.com"], recipients: ["a@example.com"], sender: "w@example.org" })).toEqual(["contoso.com"]);
    expect(allowedTagDomains({ allowedDomains: [], recipients: ["a@example.com", "b@Example.com"], sender: "w@example.org" })).toEqual(["example.com", "example.org"]);
    expect(allowedTagDomains({ recipients: [] })).toEqual([]);
  });

  it("leaves out routes to subscriptions the scan did not cover", () => {
    expect(planAudiences({ defaultRecipients: [], routes: parseDigestRoutes(`${C}=x@example.com`) }, [A])).toEqual([]);
  });
});
