/**
 * The digest counts suppressed findings and lists the suppressions expiring
 * within a week of the scan (who, why, when, what they hide), escaped like
 * every other value; lifted and later-expiring ones are left out.
 */
import { describe, expect, it } from "vitest";
import { FLEET_AUDIENCE_ID, forAudience, gatherDigestData, renderDigest, type DigestAudience } from "../../shared/digest/index.js";
import { health, saFinding, scanRun, testStore } from "../store/fixtures.js";
import { HOSTILE } from "./fixtures.js";

const S1 = "2026-11-23T06:00:00.000Z";
const AUTHOR = { createdBy: "alice@example.com", createdById: "00000000-0000-0000-0000-00000000a11c" };

describe("suppressions in the digest", () => {
  it("lists those expiring within 7 days of the scan, with who, why, when and what they hide, escaped", async () => {
    const now = new Date("2026-11-22T00:00:00Z");
    const { store } = await testStore("digestsupp", { now: () => now });
    const soon = saFinding("aks-one", "batch", "runner", "pod.label-missing", "low");
    const later = saFinding("aks-one", "payments", "api");
    const open = saFinding("aks-one", "web", "front");

    const expiring = await store.createSuppression({ checkId: soon.checkId, pattern: { cluster: "aks-one", namespace: "batch" }, reason: `batch jobs ${HOSTILE}`, expiresAt: "2026-11-26T00:00:00.000Z", ...AUTHOR });
    await store.createSuppression({ checkId: later.checkId, pattern: { namespace: "payments" }, reason: "until the migration", expiresAt: "2026-12-20T00:00:00.000Z", ...AUTHOR });
    const lifted = await store.createSuppression({ checkId: open.checkId, pattern: { namespace: "web" }, reason: "lifted one", expiresAt: "2026-11-25T00:00:00.000Z", ...AUTHOR });
    await store.liftSuppression(lifted.id, { by: "bob@example.com", byId: "b", reason: "fixed" });
    await store.saveScan(scanRun("scan-1", S1, [health("aks-one")], [soon, later, open]), [soon, later, open]);

    const data = await gatherDigestData(store, "scan-1");
    expect(data.expiringSuppressions?.map((s) => s.id)).toEqual([expiring.id]);
    const audience: DigestAudience = { id: FLEET_AUDIENCE_ID, recipients: ["security@example.com"] };
    const digest = await renderDigest(forAudience(data, audience, new Map()), audience, { maxFindings: 50 });

    expect(digest.text).toContain("SUPPRESSIONS EXPIRING WITHIN 7 DAYS (2 findings suppressed now)");
    expect(digest.text).toContain("  - pod.label-missing on cluster aks-one, namespace batch: expires 2026-11-26 00:00 UTC");
    expect(digest.text).toContain(`    suppressed by alice@example.com: batch jobs ${HOSTILE}`);
    expect(digest.text).toMatch(/hides 1 finding: .*batch.*runner/);
    expect(digest.text).not.toContain("until the migration");
    expect(digest.text).not.toContain("lifted one");

    expect(digest.html).toContain("Suppressions expiring within 7 days");
    expect(digest.html).toContain("2 findings suppressed now");
    expect(digest.html).toContain("alice@example.com");
    expect(digest.html).toContain("batch jobs &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;");
    expect(digest.html).not.toContain(HOSTILE);
    expect(digest.html).toContain("2026-11-26 00:00 UTC");
    expect(digest.html).not.toContain("until the migration");

    // A team whose subscriptions hold none of the hidden findings sees none of them.
    const team: DigestAudience = { id: "subs-x", subscriptions: ["99999999-9999-9999-9999-999999999999"], recipients: ["team@example.com"] };
    expect(forAudience(data, team, new Map()).expiringSuppressions).toEqual([]);
  });
});
