/**
 * Every machine output that shows a remediation command says it is for bash
 * and carries the PowerShell 7.3+ form beside it, or why there is none.
 */
import { describe, expect, it } from "vitest";
import { shellQuote } from "../../shared/checks/index.js";
import type { Finding } from "../../shared/findings/model.js";
import { FLEET_AUDIENCE_ID, renderDigest } from "../../shared/digest/index.js";
import { writeReport, type ReportInput } from "../../shared/report/index.js";
import type { ScanRun } from "../../shared/scan/model.js";
import { digestData, saFinding } from "../digest/fixtures.js";

const HOSTILE_NAMESPACE = "ns\u2019; Start-Process calc; \u2018$(id)`";

function finding(id: string, command: string): Finding {
  return {
    id,
    checkId: "pod.label-missing",
    severity: "high",
    title: "Pod not labelled",
    resource: { subscriptionId: "sub", cluster: "prod", namespace: HOSTILE_NAMESPACE, kind: "Deployment", name: "api" },
    evidence: {},
    remediation: { text: "Label it.", command },
    docsUrl: "https://example.invalid/docs",
    controls: [],
  };
}

const kubectlCommand = `kubectl --context prod label namespace ${shellQuote(HOSTILE_NAMESPACE)} a=b`;
const azCommand = `az ad app federated-credential create --id app --parameters ${shellQuote('{"name":"x"}')}`;
const input: ReportInput = {
  findings: [finding("f-kubectl", kubectlCommand), finding("f-az", azCommand)],
  checks: [],
  toolVersion: "0.0.0-test",
};
const POWERSHELL = "kubectl --context prod label namespace 'ns\u2019\u2019; Start-Process calc; \u2018\u2018$(id)`' a=b";

describe("remediation commands in the outputs", () => {
  it("JSON: the command, its shell, and the PowerShell form or why there is none", () => {
    const findings = (JSON.parse(writeReport("json", input)) as { findings: Array<{ remediation: Record<string, string> }> }).findings;
    expect(findings[0]?.remediation).toEqual({ text: "Label it.", command: kubectlCommand, shell: "bash", powershellCommand: POWERSHELL });
    expect(findings[1]?.remediation).toMatchObject({ command: azCommand, shell: "bash" });
    expect(findings[1]?.remediation.powershellCommand).toBeUndefined();
    expect(findings[1]?.remediation.powershellWithheld).toContain("cmd.exe");
  });

  it("CSV: a column per shell", () => {
    const [header, row] = writeReport("csv", input).split("\r\n");
    const columns = header!.split(",");
    expect(columns).toContain("bashCommand");
    expect(columns).toContain("powershellCommand");
    expect(row).toContain(POWERSHELL.replace(/"/g, '""'));
  });

  it("SARIF, OCSF and JUnit label the command's shell", () => {
    const sarif = JSON.parse(writeReport("sarif", input)) as { runs: Array<{ results: Array<{ properties: Record<string, string> }> }> };
    expect(sarif.runs[0]?.results[0]?.properties).toMatchObject({ remediationShell: "bash", remediationCommand: kubectlCommand, remediationCommandPowerShell: POWERSHELL });
    const ocsf = JSON.parse(writeReport("ocsf", input)) as Array<{ unmapped: Record<string, string> }>;
    expect(ocsf[0]?.unmapped).toMatchObject({ remediation_shell: "bash", remediation_command: kubectlCommand, remediation_command_powershell: POWERSHELL });
    const junit = writeReport("junit", input);
    expect(junit).toContain("command (bash): kubectl --context prod label namespace");
    expect(junit).toContain("command (PowerShell 7.3+): kubectl --context prod label namespace &apos;ns".replace("&apos;", "'"));
    expect(junit).toContain("command (PowerShell 7.3+): none: az is a batch file on Windows");
  });

  it("the digest labels the command's shell in both parts (it carries the bash form only: its size is bounded)", async () => {
    const open = [saFinding("aks-one", "web", "api", { command: kubectlCommand })];
    const digest = await renderDigest(digestData({ open }), { id: FLEET_AUDIENCE_ID, recipients: ["security@example.com"] }, { maxFindings: 10, findingsApiBaseUrl: "https://wiscan.example.com/api" });
    expect(digest.text).toContain("command (bash):\n      kubectl --context prod label namespace");
    expect(digest.html).toMatch(/<pre[^>]*># bash\nkubectl --context prod label namespace/);
  });
});

describe("subscription names in a scan's CSV (wiscan scan -o csv)", () => {
  const scan: ScanRun = {
    id: "20261207T000000Z-abcdef",
    startedAt: "2026-12-07T00:00:00.000Z",
    finishedAt: "2026-12-07T00:00:01.000Z",
    trigger: "cli",
    scope: { subscriptions: [], managementGroups: [], clusters: [] },
    tenantId: "t",
    subscriptions: ["sub"],
    // Resource Graph's display names are anyone's to choose: a formula, a quote, a separator.
    subscriptionNames: { sub: '=HYPERLINK("https://evil.example","Payments; prod")' },
    complete: true,
    clusters: [],
    counts: { clusters: 0, clustersScanned: 0, findings: 2, bySeverity: { high: 2, medium: 0, low: 0, info: 0 } },
    requests: { resourceGraph: 1, arm: 1, graph: 0, kubernetes: 0 },
    durationMs: 1000,
  };
  const other = { ...finding("f-other", kubectlCommand), resource: { ...finding("f-other", kubectlCommand).resource, subscriptionId: "unnamed-sub" } };

  it("names each finding's subscription from the scan itself, as text a spreadsheet will not run, and leaves an unnamed one empty", () => {
    const lines = writeReport("csv", { ...input, findings: [finding("f-kubectl", kubectlCommand), other], scan }).trimEnd().split("\r\n");
    expect(lines[0]!.split(",").at(-1)).toBe("subscriptionName");
    expect(lines[1]!.endsWith(`,"'=HYPERLINK(""https://evil.example"",""Payments; prod"")"`)).toBe(true);
    expect(lines[2]!.endsWith(",")).toBe(true);
  });
});
