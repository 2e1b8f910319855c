/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF consumers. Shape after
 * trivy's pkg/report/sarif.go (rules from the catalog, security-severity),
 * with what wiscan has that a file scanner lacks: stable finding ids as
 * partialFingerprints, and Azure/Kubernetes places as logical locations.
 * GitHub only shows results that have a physical location, so each result
 * also names a stable, readable pseudo-path of the resource (no line: none
 * exists, and a made-up line 1 would only mislead).
 */
import type { Severity } from "../findings/model.js";
import type { ReportedFinding, ReportInput, Writer } from "./model.js";
import { statusOf } from "./model.js";
import { findingLocation } from "./finding-order.js";
import { highestSeverityOf } from "./severity.js";
import { commandFields } from "./remediation-output.js";

/** GitHub's bands: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low. */
export const SECURITY_SEVERITY: Record<Severity, string> = { high: "8.0", medium: "5.0", low: "3.0", info: "1.0" };
const LEVEL: Record<Severity, "error" | "warning" | "note"> = { high: "error", medium: "warning", low: "note", info: "note" };
/** partialFingerprints key: versioned, so a change of id scheme never matches old alerts by accident. */
export const FINGERPRINT_KEY = "wiscanFindingId/v1";

type Rule = ReportInput["checks"][number];

export function toSarif(input: ReportInput): object {
  const ruleIndex = new Map(input.checks.map((c, i) => [c.id, i]));
  const scan = input.scan;
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "wiscan",
            fullName: "wiscan: AKS workload identity scanner",
            version: input.toolVersion,
            semanticVersion: input.toolVersion,
            rules: input.checks.map(rule),
          },
        },
        // GitHub reads the category from everything before the last "/": one category for every wiscan run.
        ...(scan !== undefined && {
          automationDetails: { id: `wiscan/${scan.id}` },
          invocations: [
            {
              executionSuccessful: true,
              startTimeUtc: scan.startedAt,
              ...(scan.finishedAt !== undefined && { endTimeUtc: scan.finishedAt }),
              properties: { scanId: scan.id, complete: scan.complete, ...(scan.coverage !== undefined && { coveragePercent: scan.coverage.percent }) },
            },
          ],
        }),
        results: input.findings.map((f) => result(f, ruleIndex.get(f.checkId))),
      },
    ],
  };
}

function rule(check: Rule): object {
  const severity = highestSeverityOf(check.severityRule);
  const family = check.id.split(".")[0] ?? check.id;
  return {
    id: check.id,
    name: pascalCase(check.id),
    shortDescription: { text: check.title },
    fullDescription: { text: check.risk },
    help: {
      text: `${check.remediation}\n\nSeverity: ${check.severityRule}.\nDocumentation: ${check.docsUrl}`,
      markdown: `${check.remediation}\n\n**Severity:** ${check.severityRule}.\n\n[Documentation](${check.docsUrl})`,
    },
    helpUri: check.docsUrl,
    defaultConfiguration: { level: LEVEL[severity] },
    properties: {
      "security-severity": SECURITY_SEVERITY[severity],
      precision: "high",
      tags: ["security", "workload-identity", "aks", family, ...check.controls],
    },
  };
}

function result(f: ReportedFinding, index: number | undefined): object {
  const r = f.resource;
  const status = statusOf(f);
  const where = findingLocation(f);
  return {
    ruleId: f.checkId,
    ...(index !== undefined && { ruleIndex: index }),
    level: LEVEL[f.severity],
    message: { text: `${f.title}: ${where}. ${f.remediation.text}` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: resourcePath(f) } },
        logicalLocations: [{ name: `${r.kind}/${r.name}`, fullyQualifiedName: logicalName(f), kind: "resource" }],
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.id },
    ...(status === "suppressed" && {
      suppressions: [
        {
          kind: "external",
          status: "accepted",
          justification: f.suppression?.reason ?? "suppressed",
          ...(f.suppression !== undefined && {
            properties: { suppressionId: f.suppression.id, createdBy: f.suppression.createdBy, expiresAt: f.suppression.expiresAt },
          }),
        },
      ],
    }),
    properties: {
      findingId: f.id,
      severity: f.severity,
      status,
      ...(f.resolvedAt !== undefined && { resolvedAt: f.resolvedAt }),
      controls: [...f.controls],
      resource: r,
      evidence: f.evidence,
      ...commandFields(f.remediation, {
        command: "remediationCommand",
        shell: "remediationShell",
        powershell: "remediationCommandPowerShell",
        withheld: "remediationPowerShellWithheld",
      }),
      docsUrl: f.docsUrl,
    },
  };
}

/** subscriptions/<id>/resourceGroups/<rg>/clusters/<name>/namespaces/<ns>/<Kind>/<name>: the parts that exist, in that order. */
function locationSegments(f: ReportedFinding): string[] {
  const r = f.resource;
  const parts: string[] = [];
  if (r.subscriptionId !== undefined) parts.push("subscriptions", r.subscriptionId);
  if (r.resourceGroup !== undefined) parts.push("resourceGroups", r.resourceGroup);
  if (r.cluster !== undefined) parts.push("clusters", r.cluster);
  if (r.namespace !== undefined) parts.push("namespaces", r.namespace);
  parts.push(r.kind, r.name);
  if (r.credentialName !== undefined && r.credentialName !== r.name) parts.push("federatedCredentials", r.credentialName);
  return parts;
}

function logicalName(f: ReportedFinding): string {
  return locationSegments(f).join("/");
}

/** The same place as a relative URI, every segment percent-encoded: names from clusters and Azure may hold anything. */
function resourcePath(f: ReportedFinding): string {
  return ["azure", ...locationSegments(f).map((s) => encodeURIComponent(s))].join("/");
}

function pascalCase(id: string): string {
  return id
    .split(/[.-]/)
    .map((w) => (w[0]?.toUpperCase() ?? "") + w.slice(1))
    .join("");
}

export const sarifWriter: Writer = {
  mediaType: "application/sarif+json",
  extension: "sarif",
  write: (input) => JSON.stringify(toSarif(input), null, 2) + "\n",
};
