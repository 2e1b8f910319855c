/**
 * OCSF 1.3.0 Detection Findings (class 2004), one per finding, as a JSON array
 * (what Amazon Security Lake custom sources, Sentinel's OCSF connectors and
 * most SIEM pipelines take in). The mapping follows Prowler's
 * prowler/lib/outputs/ocsf/ocsf.py (event_code = check id, status from the
 * mute flag) and adds wiscan's lifecycle: a resolved finding is a Close
 * activity with status Resolved. test/report/ocsf.test.ts validates every
 * event against the class's JSON Schema (vendored in test/report/ocsf/).
 */
import type { Severity } from "../findings/model.js";
import type { FindingStatus } from "../store/model.js";
import type { ReportedFinding, ReportInput, Writer } from "./model.js";
import { statusOf } from "./model.js";
import { commandFields } from "./remediation-output.js";

export const OCSF_VERSION = "1.3.0";
const CLASS_UID = 2004;
const CATEGORY_UID = 2;
const ACTIVITY = { create: { id: 1, name: "Create" }, close: { id: 3, name: "Close" } } as const;
const SEVERITY: Record<Severity, { id: number; name: string }> = {
  high: { id: 4, name: "High" },
  medium: { id: 3, name: "Medium" },
  low: { id: 2, name: "Low" },
  info: { id: 1, name: "Informational" },
};
const STATUS: Record<FindingStatus, { id: number; name: string }> = {
  open: { id: 1, name: "New" },
  suppressed: { id: 3, name: "Suppressed" },
  resolved: { id: 4, name: "Resolved" },
};

export function toOcsf(input: ReportInput): object[] {
  return input.findings.map((f) => detectionFinding(f, input));
}

function detectionFinding(f: ReportedFinding, input: ReportInput): object {
  const status = statusOf(f);
  const activity = status === "resolved" ? ACTIVITY.close : ACTIVITY.create;
  const check = input.checks.find((c) => c.id === f.checkId);
  const seen = f.lastSeenAt ?? input.scan?.startedAt ?? new Date().toISOString();
  const r = f.resource;
  return {
    activity_id: activity.id,
    activity_name: activity.name,
    category_uid: CATEGORY_UID,
    category_name: "Findings",
    class_uid: CLASS_UID,
    class_name: "Detection Finding",
    type_uid: CLASS_UID * 100 + activity.id,
    type_name: `Detection Finding: ${activity.name}`,
    time: Date.parse(seen),
    severity_id: SEVERITY[f.severity].id,
    severity: SEVERITY[f.severity].name,
    status_id: STATUS[status].id,
    status: STATUS[status].name,
    ...(status === "suppressed" && f.suppression !== undefined && {
      status_detail: `suppressed by ${f.suppression.createdBy} until ${f.suppression.expiresAt}: ${f.suppression.reason}`,
    }),
    message: f.title,
    metadata: {
      version: OCSF_VERSION,
      profiles: ["cloud"],
      event_code: f.checkId,
      product: { name: "wiscan", vendor_name: "wiscan", version: input.toolVersion },
      ...(input.scan !== undefined && { correlation_uid: input.scan.id }),
    },
    finding_info: {
      uid: f.id,
      title: f.title,
      ...(check !== undefined && { desc: check.risk }),
      types: [f.checkId],
      ...(f.firstSeenAt !== undefined && { first_seen_time: Date.parse(f.firstSeenAt) }),
      ...(f.lastSeenAt !== undefined && { last_seen_time: Date.parse(f.lastSeenAt) }),
      src_url: f.docsUrl,
    },
    cloud: {
      provider: "Azure",
      ...(r.subscriptionId !== undefined && { account: { uid: r.subscriptionId, type: "Azure Subscription", type_id: 99 } }),
    },
    resources: [resource(f)],
    remediation: {
      desc: f.remediation.text,
      references: [f.docsUrl],
    },
    unmapped: {
      check_id: f.checkId,
      controls: [...f.controls],
      evidence: f.evidence,
      ...commandFields(f.remediation, {
        command: "remediation_command",
        shell: "remediation_shell",
        powershell: "remediation_command_powershell",
        withheld: "remediation_powershell_withheld",
      }),
      resource: r,
      ...(f.resolvedAt !== undefined && { resolved_at: f.resolvedAt }),
    },
  };
}

function resource(f: ReportedFinding): object {
  const r = f.resource;
  return {
    uid: r.clusterId !== undefined && r.namespace === undefined && r.kind === "ManagedCluster" ? r.clusterId : resourceUid(f),
    name: r.name,
    type: r.kind,
    ...(r.namespace !== undefined && { namespace: r.namespace }),
    ...(r.resourceGroup !== undefined && { group: { name: r.resourceGroup } }),
    cloud_partition: "Azure",
    labels: [...(r.cluster !== undefined ? [`cluster:${r.cluster}`] : []), ...(r.identityClientId !== undefined ? [`identityClientId:${r.identityClientId}`] : [])],
    data: r,
  };
}

/** A stable id for the resource: the cluster's ARM id with the Kubernetes path, or the identity's id. */
function resourceUid(f: ReportedFinding): string {
  const r = f.resource;
  if (r.clusterId !== undefined) return [r.clusterId, ...(r.namespace !== undefined ? ["namespaces", r.namespace] : []), r.kind, r.name].join("/");
  if (r.identityId !== undefined) return r.credentialName !== undefined ? `${r.identityId}/federatedIdentityCredentials/${r.credentialName}` : r.identityId;
  return [r.subscriptionId ?? "", r.kind, r.name].join("/");
}

export const ocsfWriter: Writer = {
  mediaType: "application/json",
  extension: "ocsf.json",
  write: (input) => JSON.stringify(toOcsf(input), null, 2) + "\n",
};
