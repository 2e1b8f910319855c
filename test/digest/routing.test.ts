import { describe, expect, it } from "vitest";
import { DigestError, parseDigestRoutes, planAudiences, teamAudienceId } from "../../shared/digest/index.js";

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
        subscriptionTags: new Map<string, Record<string, string>>([
          [A, { "Owner-Email": "pay@example.com; <img src=x>" }],
          [B, { costCenter: "42" }],
        ]),
      },
      [A, B],
    );
    expect(audiences).toEqual([{ id: teamAudienceId([A]), subscriptions: [A], recipients: ["pay@example.com"] }]);
  });

  it("leaves out routes to subscriptions the scan did not cover", () => {
    expect(planAudiences({ defaultRecipients: [], routes: parseDigestRoutes(`${C}=x@example.com`) }, [A])).toEqual([]);
  });
});
