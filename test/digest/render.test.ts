import { describe, expect, it } from "vitest";
import { renderDigest, FLEET_AUDIENCE_ID, teamAudienceId, type DigestAudience } from "../../shared/digest/index.js";
import { summarizeCoverage } from "../../shared/coverage/index.js";
import { clusterId, digestData, health, HOSTILE, S0, S1, saFinding, scanSummary, stored, SUB_A, SUB_B } from "./fixtures.js";

const FLEET: DigestAudience = { id: FLEET_AUDIENCE_ID, recipients: ["security@example.com"] };
const API = "https://wiscan.example.com/api";
const OPTIONS = { maxFindings: 200, findingsApiBaseUrl: API };

/** The HTML with every tag removed: what a reader sees. */
function visibleText(html: string): string {
  return html.replace(/<style[\s\S]*?<\/style>/g, "").replace(/<[^>]+>/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&#x3D;/g, "=").replace(/&amp;/g, "&").replace(/\s+/g, " ");
}

describe("rendering the digest", () => {
  it("puts the counts that matter in the subject", async () => {
    const open = [
      saFinding("aks-one", "web", "sa-new-1"),
      saFinding("aks-one", "web", "sa-new-2"),
      saFinding("aks-two", "pay", "sa-old", { openedAt: S0 }),
      saFinding("aks-two", "pay", "sa-low", { severity: "low" }),
    ];
    const resolved = [saFinding("aks-one", "web", "gone", { status: "resolved", openedAt: S0, resolvedAt: S1 })];
    const digest = await renderDigest(digestData({ open, resolved }), FLEET, OPTIONS);
    expect(digest.subject).toBe("wiscan: 2 new high, 4 open, 1 resolved — 3 clusters in 2 subscriptions");
    expect(digest.sizeBytes).toBe(Buffer.byteLength(digest.subject) + Buffer.byteLength(digest.html) + Buffer.byteLength(digest.text));
  });

  it("shows a hostile annotation as text and cuts a 10 kB label with a marker, in both parts", async () => {
    const open = [saFinding("aks-one", HOSTILE, `sa-${HOSTILE}`, { evidence: { annotation: HOSTILE, label: "v".repeat(10_000) }, title: `Title ${HOSTILE}` })];
    const digest = await renderDigest(digestData({ open }), FLEET, OPTIONS);

    expect(digest.html).not.toContain("<img");
    expect(digest.html).not.toMatch(/<script/i);
    expect(digest.html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(digest.html).toContain("&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;");
    expect(visibleText(digest.html)).toContain(`annotation ${HOSTILE}`);
    expect(digest.html).not.toContain("v".repeat(161));
    expect(digest.html).toContain("[9840 more characters]");

    expect(digest.text).toContain(`annotation: ${HOSTILE}`);
    expect(digest.text).toContain("[9840 more characters]");
    expect(digest.text).not.toContain("v".repeat(161));
  });

  it("keeps a value with line breaks on one line of the text part", async () => {
    const open = [saFinding("aks-one", "web", "sa-1", { evidence: { annotation: "ok\nSUMMARY\n  New high: 0" } })];
    const digest = await renderDigest(digestData({ open }), FLEET, OPTIONS);
    expect(digest.text).toContain("annotation: ok SUMMARY   New high: 0");
    expect(digest.text.match(/^SUMMARY$/gm)).toHaveLength(1);
  });

  it("lists new findings first, then the rest by subscription and cluster, each with its remediation command", async () => {
    const open = [
      saFinding("aks-two", "pay", "sa-old-b", { openedAt: S0 }),
      saFinding("aks-one", "web", "sa-old-a", { openedAt: S0 }),
      saFinding("aks-three", "ops", "sa-other-sub", { openedAt: S0 }, SUB_B),
      saFinding("aks-one", "web", "sa-fresh"),
    ];
    const digest = await renderDigest(digestData({ open }), FLEET, OPTIONS);
    const order = ["sa-fresh", "sa-old-a", "sa-old-b", "sa-other-sub"].map((name) => digest.text.indexOf(`kubectl annotate sa ${name} `));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(digest.text.indexOf("NEW SINCE THE PREVIOUS SCAN (1)")).toBeLessThan(order[0]!);
    expect(digest.text.indexOf("STILL OPEN")).toBeLessThan(order[1]!);
    expect(digest.text).toContain(`[${SUB_A} / aks-one]`);
    expect(digest.html).toContain("kubectl annotate sa sa-old-b azure.workload.identity/client-id&#x3D;x");
    expect(digest.html).toContain(`${API}/findings/${open[3]!.id}`);
  });

  it("scores each cluster and subscription as the share of workload-identity pods with no open high finding", async () => {
    const open = [
      saFinding("aks-one", "web", "sa-1"),
      saFinding("aks-one", "web", "sa-2"),
      saFinding("aks-one", "web", "sa-low", { severity: "low" }),
      stored("cluster.webhook-not-running", { subscriptionId: SUB_B, cluster: "aks-three", clusterId: clusterId("aks-three", SUB_B), kind: "ManagedCluster", name: "aks-three" }),
    ];
    const data = digestData({ open, clusters: [health("aks-one"), health("aks-two", { workloadIdentityPods: 0 }), health("aks-three", {}, SUB_B)] });
    const digest = await renderDigest(data, FLEET, OPTIONS);
    // aks-one: 8 of 10; aks-two has no workload-identity pods; aks-three: the webhook is down, 0 of 10.
    expect(digest.text).toContain("80%  aks-one");
    expect(digest.text).toContain("n/a  aks-two");
    expect(digest.text).toContain("0%  aks-three");
    expect(digest.text).toContain(`80%  ${SUB_A}`);
    expect(digest.text).toContain(`0%  ${SUB_B}`);
    expect(digest.text).toContain("Compliance: 40% (8 of 20 workloads");
    expect(digest.summary.scorePercent).toBe(40);
    expect(digest.text).toContain("MCSB IM-3: 4 open, 3 high");
  });

  it("draws the trend of the last scans as table cells, without scripts or images", async () => {
    const earlier = ["2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"].map((d, i) => ({
      ...digestData().scan,
      id: `scan-e${i}`,
      startedAt: `${d}T06:00:00.000Z`,
      counts: { clusters: 3, clustersScanned: 3, findings: 10 + i, bySeverity: { high: 1, medium: 0, low: 0, info: 0 } },
    }));
    const trend = new Map([["scan-e6", { scanId: "scan-e6", scanStartedAt: earlier[6]!.startedAt, open: 3, scorePercent: 70 }]]);
    const digest = await renderDigest(digestData({ earlierScans: earlier, previousScan: earlier[6]!, trend, open: [saFinding("aks-one", "web", "sa-1")] }), FLEET, OPTIONS);
    expect(digest.text).toMatch(/TREND[^\n]*\n  10-05  10  –\n[\s\S]*  11-16  3  70%\n  11-23  1  96%  <- this scan/);
    expect(digest.html).toMatch(/<td[^>]*width="100%"[^>]*bgcolor="#b3261e"/);
    expect(digest.html).not.toMatch(/<img|<script|url\(/i);
  });

  it("explains the clusters it could not scan, with the permission to grant", async () => {
    const forbidden = stored(
      "scan.forbidden",
      { subscriptionId: SUB_B, cluster: "aks-three", clusterId: clusterId("aks-three", SUB_B), kind: "Permission", name: "list pods" },
      { severity: "medium", controls: [], command: "az role assignment create --role 'Azure Kubernetes Service RBAC Reader' --assignee x" },
    );
    const data = digestData({
      open: [forbidden],
      clusters: [health("aks-one"), health("aks-two", { status: "unreachable", reason: "connect ETIMEDOUT 10.0.0.4:443", durationMs: 30_000 }), health("aks-three", { status: "forbidden", reason: "pods is forbidden" }, SUB_B)],
    });
    const digest = await renderDigest(data, FLEET, OPTIONS);
    expect(digest.text).toContain("- aks-two (" + SUB_A + "): unreachable. connect ETIMEDOUT 10.0.0.4:443");
    expect(digest.text).toContain("- aks-three (" + SUB_B + "): forbidden. pods is forbidden");
    expect(digest.text).toContain("az role assignment create --role 'Azure Kubernetes Service RBAC Reader' --assignee x");
    expect(digest.text).toContain("The scan took 1 min 35 s. Slowest: aks-two (30 s)");
    expect(digest.text).toContain("Clusters: 1 of 3 scanned");
  });

  it("names the identities most at risk", async () => {
    const identityId = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-payments";
    const open = [
      stored("identity.over-privileged", { subscriptionId: SUB_B, kind: "RoleAssignment", name: `Owner at /subscriptions/${SUB_B}`, identityId, identityClientId: "bbbbbbbb-0000-0000-0000-000000000002" }),
      stored("fic.dangling", { subscriptionId: SUB_B, kind: "FederatedCredential", name: "old-cluster", credentialName: "old-cluster", identityId, identityClientId: "bbbbbbbb-0000-0000-0000-000000000002" }),
    ];
    const digest = await renderDigest(digestData({ open }), FLEET, OPTIONS);
    expect(digest.text).toContain(`- id-payments (${SUB_B}): dangling credential old-cluster; over-privileged: Owner at /subscriptions/${SUB_B} ${API}/findings?status=open&identity=bbbbbbbb-0000-0000-0000-000000000002`);
  });

  it("gives a team only its own subscriptions", async () => {
    const open = [saFinding("aks-one", "web", "sa-mine"), saFinding("aks-three", "ops", "sa-theirs", {}, SUB_B)];
    const team: DigestAudience = { id: teamAudienceId([SUB_B]), subscriptions: [SUB_B], recipients: ["ops@example.com"] };
    const { forAudience } = await import("../../shared/digest/index.js");
    const data = digestData({ open });
    const digest = await renderDigest(forAudience(data, team, new Map()), team, OPTIONS);
    expect(digest.subject).toBe("wiscan: 1 new high, 1 open, 0 resolved — 1 cluster in 1 subscription");
    expect(digest.text).toContain("sa-theirs");
    expect(digest.text).not.toContain("sa-mine");
    expect(digest.text).not.toContain("aks-one");
    expect(digest.text).toContain(`${API}/findings?subscription=${SUB_B}&status=open`);
  });

  it("renders without links when no findings API URL is configured", async () => {
    const digest = await renderDigest(digestData({ open: [saFinding("aks-one", "web", "sa-1")] }), FLEET, { maxFindings: 10 });
    expect(digest.html).not.toContain("wiscan.example.com");
    expect(digest.html).not.toMatch(/href=""/);
    expect(digest.text).not.toContain("Findings API");
  });

  it("lists what the scan did not check and why, so a quiet week is not read as a clean one", async () => {
    const scan = {
      ...scanSummary("scan-1", S1),
      coverage: summarizeCoverage({
        clusters: [
          { cluster: "aks-one", coverage: { checks: [{ checkId: "pod.label-missing", state: "complete", graded: true }] } },
          { cluster: HOSTILE, coverage: { checks: [{ checkId: "pod.not-mutated", state: "none", graded: false, reason: "unreachable", detail: `list namespaces: ${HOSTILE}` }] } },
          { cluster: "aks-three", coverage: { checks: [{ checkId: "probe.token-exchange-failed", state: "none", graded: false, reason: "probe-off" }] } },
        ],
        fleet: { checks: [], subjects: "all", subscriptions: [], applications: [], wholeScope: true },
        missingSubscriptions: [],
      }),
    };
    const data = digestData({ scan, clusters: [health("aks-one"), health(HOSTILE), health("aks-three", {}, SUB_B)] });
    const digest = await renderDigest(data, FLEET, OPTIONS);
    const text = visibleText(digest.html);
    expect(text).toContain("Not checked this week");
    expect(text).toContain("The scan evaluated 50 % of what it could");
    expect(text).toContain(`${HOSTILE} unreachable list namespaces: ${HOSTILE} pod.not-mutated`);
    expect(digest.html).not.toContain("<img");
    // The opt-in probe being off is not a gap.
    expect(text).not.toContain("probe-off");
    expect(digest.text).toContain(`NOT CHECKED THIS WEEK (the scan evaluated 50 %; findings here keep their state)`);
    expect(digest.text).toContain(`- ${HOSTILE}: unreachable. list namespaces: ${HOSTILE} (pod.not-mutated)`);
  });

  it("says nothing about coverage for a scan that evaluated everything", async () => {
    const scan = { ...scanSummary("scan-1", S1), coverage: summarizeCoverage({ clusters: [], fleet: { checks: [], subjects: "all", subscriptions: [], applications: [], wholeScope: true }, missingSubscriptions: [] }) };
    const digest = await renderDigest(digestData({ scan }), FLEET, OPTIONS);
    expect(digest.text).not.toContain("NOT CHECKED");
  });
});
