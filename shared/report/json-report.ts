/**
 * The CLI's JSON output: a documented, versioned schema (docs/json-output.md)
 * that other tools can consume. Bump SCAN_REPORT_SCHEMA_VERSION on any
 * incompatible change; adding optional fields is compatible.
 */
import { z } from "zod";
import { CHECK_IDS, SEVERITIES, type Finding } from "../findings/model.js";
import { CLUSTER_SCAN_STATUSES, type ScanRun } from "../scan/model.js";
import { GAP_REASONS } from "../coverage/model.js";
import { remediationOutput } from "./remediation-output.js";

export const SCAN_REPORT_SCHEMA_VERSION = 1;

const findingSchema = z.object({
  id: z.string(),
  checkId: z.enum(CHECK_IDS),
  severity: z.enum(SEVERITIES),
  title: z.string(),
  resource: z.object({
    subscriptionId: z.string().optional(),
    resourceGroup: z.string().optional(),
    cluster: z.string().optional(),
    clusterId: z.string().optional(),
    namespace: z.string().optional(),
    kind: z.string(),
    name: z.string(),
    identityClientId: z.string().optional(),
    identityId: z.string().optional(),
    credentialName: z.string().optional(),
  }),
  evidence: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  remediation: z.object({
    text: z.string(),
    /** For bash or another POSIX shell: every value from Azure or a cluster single-quoted. */
    command: z.string().optional(),
    /** What `command` is for: always "bash" when there is a command. */
    shell: z.literal("bash").optional(),
    /** The same command for PowerShell 7.3 or later. */
    powershellCommand: z.string().optional(),
    /** Why there is no PowerShell form (e.g. an az argument cmd.exe would interpret on Windows). */
    powershellWithheld: z.string().optional(),
  }),
  docsUrl: z.string(),
  controls: z.array(z.string()),
});

const clusterHealthSchema = z.object({
  clusterId: z.string(),
  cluster: z.string(),
  subscriptionId: z.string(),
  resourceGroup: z.string(),
  status: z.enum(CLUSTER_SCAN_STATUSES),
  reason: z.string().optional(),
  accessPath: z.enum(["direct", "run-command", "none"]),
  durationMs: z.number(),
  requests: z.number(),
  findings: z.number(),
  podsSeen: z.number(),
  workloadIdentityPods: z.number(),
});

const coverageSchema = z.object({
  evaluated: z.number(),
  total: z.number(),
  percent: z.number(),
  actionableGaps: z.number(),
  missingSubscriptions: z.array(z.string()),
  notSelected: z.array(z.enum(CHECK_IDS)),
  gaps: z.array(
    z.object({
      reason: z.enum(GAP_REASONS),
      checkIds: z.array(z.enum(CHECK_IDS)),
      where: z.string(),
      detail: z.string(),
      actionable: z.boolean(),
    }),
  ),
  gapLines: z.number(),
});

export const scanReportSchema = z.object({
  schemaVersion: z.literal(SCAN_REPORT_SCHEMA_VERSION),
  tool: z.object({ name: z.literal("wiscan"), version: z.string() }),
  scan: z.object({
    id: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    trigger: z.enum(["timer", "http", "cli", "demo"]),
    tenantId: z.string(),
    subscriptions: z.array(z.string()),
    complete: z.boolean(),
    durationMs: z.number(),
    counts: z.object({
      clusters: z.number(),
      clustersScanned: z.number(),
      findings: z.number(),
      bySeverity: z.object({ high: z.number(), medium: z.number(), low: z.number(), info: z.number() }),
    }),
    requests: z.object({ resourceGraph: z.number(), arm: z.number(), graph: z.number(), kubernetes: z.number() }),
    /** What the scan evaluated completely, and why not the rest (docs/store.md, "When a finding changes: coverage"). */
    coverage: coverageSchema.optional(),
    clusters: z.array(clusterHealthSchema),
  }),
  findings: z.array(findingSchema),
});

export type ScanReport = z.infer<typeof scanReportSchema>;

export function toScanReport(scan: ScanRun, findings: readonly Finding[], toolVersion: string): ScanReport {
  return {
    schemaVersion: SCAN_REPORT_SCHEMA_VERSION,
    tool: { name: "wiscan", version: toolVersion },
    scan: {
      id: scan.id,
      startedAt: scan.startedAt,
      ...(scan.finishedAt !== undefined && { finishedAt: scan.finishedAt }),
      trigger: scan.trigger,
      tenantId: scan.tenantId,
      subscriptions: scan.subscriptions,
      complete: scan.complete,
      durationMs: scan.durationMs,
      counts: scan.counts,
      requests: scan.requests,
      ...(scan.coverage !== undefined && { coverage: scan.coverage }),
      // Per-cluster coverage stays in the store: the summary above says what a reader needs.
      clusters: scan.clusters.map(({ coverage: _coverage, ...health }) => health),
    },
    findings: findings.map((f) => ({ ...f, controls: [...f.controls], remediation: remediationOutput(f.remediation) })),
  };
}

/** The JSON Schema published in docs/scan-report.v1.schema.json. */
export function scanReportJsonSchema(): unknown {
  return z.toJSONSchema(scanReportSchema);
}
