/**
 * The digest settings a scan is delivered with, from the configuration and the
 * scan's inventory: DIGEST_ROUTES and DIGEST_ROUTE_TAG decide the audiences,
 * the inventory's display names label the subscriptions. Runs deliverDigest
 * against Azurite with MAIL_TRANSPORT=none, so the audiences are stored, not sent.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../shared/config/index.js";
import { deliverDigest, digestSettingsFromConfig, teamAudienceId, type DigestArchive } from "../../shared/digest/index.js";
import type { Subscription } from "../../shared/inventory/model.js";
import type { FindingsStore } from "../../shared/store/index.js";
import { health, saFinding, scanRun, SUB_A, SUB_B } from "../store/fixtures.js";
import { digestStores } from "./store-support.js";

const SCAN = "20261130T060000Z-timer";
let store: FindingsStore;
let archive: DigestArchive;

beforeAll(async () => {
  ({ store, archive } = await digestStores("fromconfig"));
  const findings = [saFinding("aks-one", "payments", "api")];
  const run = scanRun(SCAN, "2026-11-30T06:00:00.000Z", [health("aks-one"), { ...health("aks-two"), subscriptionId: SUB_B }], findings);
  await store.saveScan({ ...run, subscriptions: [SUB_A, SUB_B] }, findings);
});

describe("digest settings from the configuration and the inventory", () => {
  it("routes each subscription to the owners in its DIGEST_ROUTE_TAG tag and to its DIGEST_ROUTES team", async () => {
    const config = loadConfig({ DIGEST_RECIPIENTS: "security@example.com", DIGEST_ROUTE_TAG: "owner-email", DIGEST_ROUTES: `${SUB_B}=web@example.com` });
    const subscriptions: Subscription[] = [
      // Tag names are matched without regard to case; a tag is free text, so only addresses are used.
      { subscriptionId: SUB_A.toUpperCase(), displayName: "contoso-payments", tags: { "Owner-Email": "pay@example.com; not an address", costcenter: "42" } },
      { subscriptionId: SUB_B, displayName: "contoso-web" },
    ];
    const report = await deliverDigest({ store, archive }, SCAN, digestSettingsFromConfig(config, subscriptions));
    expect(report.digests.map((d) => [d.audienceId, d.recipients, d.outcome])).toEqual([
      ["fleet", ["security@example.com"], "not-sent"],
      [teamAudienceId([SUB_A]), ["pay@example.com"], "not-sent"],
      [teamAudienceId([SUB_B]), ["web@example.com"], "not-sent"],
    ]);
    const fleet = await archive.get(SCAN, "fleet");
    expect(fleet?.text).toContain("contoso-payments");
    expect(fleet?.text).toContain("contoso-web");
  });

  it("drops tag addresses outside the allowed domains and lists them, by domain and reason, in the fleet digest only", async () => {
    const scan = "20261130T070000Z-tagdomains";
    const findings = [saFinding("aks-one", "payments", "api")];
    const run = scanRun(scan, "2026-11-30T07:00:00.000Z", [health("aks-one"), { ...health("aks-two"), subscriptionId: SUB_B }], findings);
    await store.saveScan({ ...run, subscriptions: [SUB_A, SUB_B] }, findings);
    const subscriptions: Subscription[] = [
      { subscriptionId: SUB_A, displayName: "contoso-payments", tags: { "owner-email": "pay@example.com, leak@evil.example.net" } },
      { subscriptionId: SUB_B, displayName: "contoso-web", tags: { "owner-email": "web@contoso.example; <script>" } },
    ];

    // Without DIGEST_ALLOWED_DOMAINS, only the domains of DIGEST_RECIPIENTS and DIGEST_SENDER count.
    const implicit = loadConfig({ DIGEST_RECIPIENTS: "security@example.com", DIGEST_SENDER: "wiscan@example.com", DIGEST_ROUTE_TAG: "owner-email" });
    const report = await deliverDigest({ store, archive }, scan, digestSettingsFromConfig(implicit, subscriptions));
    expect(report.digests.map((d) => [d.audienceId, d.recipients])).toEqual([
      ["fleet", ["security@example.com"]],
      [teamAudienceId([SUB_A]), ["pay@example.com"]],
    ]);
    expect(report.refusedRoutes).toEqual([
      { subscriptionId: SUB_A, domain: "evil.example.net", reason: "domain-not-allowed" },
      { subscriptionId: SUB_B, domain: "", reason: "not-an-address" },
      { subscriptionId: SUB_B, domain: "contoso.example", reason: "domain-not-allowed" },
    ]);
    const fleet = await archive.get(scan, "fleet");
    expect(fleet?.text).toContain("DIGEST ROUTING REFUSED");
    expect(fleet?.text).toContain("contoso-payments: evil.example.net: domain not allowed");
    expect(fleet?.text).toContain("contoso-web: –: not an email address");
    expect(fleet?.html).toContain("Digest routing refused");
    // The outside address itself is not repeated, and the team never hears of others' tags.
    expect(fleet?.text).not.toContain("leak@");
    const team = await archive.get(scan, teamAudienceId([SUB_A]));
    expect(team?.text).not.toContain("ROUTING REFUSED");

    // DIGEST_ALLOWED_DOMAINS replaces the implicit domains.
    const explicit = loadConfig({ DIGEST_RECIPIENTS: "security@example.com", DIGEST_ROUTE_TAG: "owner-email", DIGEST_ALLOWED_DOMAINS: "contoso.example" });
    const second = await deliverDigest({ store, archive }, scan, digestSettingsFromConfig(explicit, subscriptions));
    expect(second.digests.map((d) => [d.audienceId, d.recipients])).toEqual([
      ["fleet", ["security@example.com"]],
      [teamAudienceId([SUB_B]), ["web@contoso.example"]],
    ]);
    expect(second.refusedRoutes?.map((r) => r.domain)).toEqual(["evil.example.net", "example.com", ""]);
  });

  it("ignores subscription tags unless DIGEST_ROUTE_TAG names one", () => {
    const settings = digestSettingsFromConfig(loadConfig({}), [{ subscriptionId: SUB_A, tags: { "owner-email": "pay@example.com" } }]);
    expect(settings.routeTag).toBeUndefined();
    expect(settings.subscriptionTags).toBeUndefined();
    expect(settings.routes).toBeUndefined();
    expect(settings.subscriptionNames).toBeUndefined();
  });
});
