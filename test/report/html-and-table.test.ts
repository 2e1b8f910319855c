import { describe, expect, it } from "vitest";
import { findingId, type Finding } from "../../shared/findings/index.js";
import { formatFindingsTable, renderHtmlReport } from "../../shared/report/index.js";
import type { ScanRun } from "../../shared/scan/model.js";

const HOSTILE = `<img src=x onerror=alert(1)>"'\u001b[31m`;

function hostileFinding(): Finding {
  const resource = { cluster: "aks-1", namespace: "ns", kind: "ServiceAccount", name: HOSTILE };
  return {
    id: findingId("sa.client-id-missing", resource),
    checkId: "sa.client-id-missing",
    severity: "high",
    title: `Labelled pods run as ${HOSTILE}`,
    resource,
    evidence: { annotation: HOSTILE },
    remediation: { text: "Annotate it.", command: `kubectl annotate serviceaccount '${HOSTILE}'` },
    docsUrl: "https://learn.microsoft.com/azure/aks/workload-identity-overview",
    controls: ["MCSB IM-3"],
  };
}

const scan: ScanRun = {
  id: "20261129T000000Z-abcdef",
  startedAt: "2026-11-29T00:00:00.000Z",
  finishedAt: "2026-11-29T00:00:01.000Z",
  trigger: "cli",
  scope: { subscriptions: [], managementGroups: [], clusters: [] },
  tenantId: "t",
  subscriptions: ["s"],
  complete: true,
  clusters: [
    { clusterId: "c", cluster: HOSTILE, subscriptionId: "s", resourceGroup: "rg", status: "partial", reason: HOSTILE, accessPath: "direct", durationMs: 1, requests: 1, findings: 1, podsSeen: 1, workloadIdentityPods: 1 },
  ],
  counts: { clusters: 1, clustersScanned: 1, findings: 1, bySeverity: { high: 1, medium: 0, low: 0, info: 0 } },
  requests: { resourceGraph: 1, arm: 1, graph: 0, kubernetes: 1 },
  durationMs: 1000,
};

describe("the HTML report", () => {
  it("shows values from clusters as text, never as markup", () => {
    const html = renderHtmlReport(scan, [hostileFinding()]);
    expect(html).not.toContain("<img");
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain("&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;");
  });

  it("forbids scripts and remote resources through its content security policy, allowing only its own style block", () => {
    const policy = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(renderHtmlReport(scan, []))?.[1]?.replaceAll("&#x27;", "'").replaceAll("&#x3D;", "=");
    expect(policy).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; base-uri 'none'; form-action 'none'$/);
  });
});

describe("the terminal table", () => {
  it("replaces control characters so a crafted name cannot recolour or rewrite the terminal", () => {
    const table = formatFindingsTable([hostileFinding()], 400);
    expect(table).not.toContain("\u001b");
    expect(table).toContain("sa.client-id-missing");
  });

  it("says so when there is nothing to report", () => {
    expect(formatFindingsTable([])).toBe("No findings.\n");
  });
});
