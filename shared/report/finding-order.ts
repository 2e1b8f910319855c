import { SEVERITIES, type Finding } from "../findings/model.js";

const severityRank = new Map(SEVERITIES.map((s, i) => [s, i]));

/** Most severe first, then by place (cluster, namespace, name) so that output is stable between runs. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    (severityRank.get(a.severity) ?? 9) - (severityRank.get(b.severity) ?? 9) ||
    a.checkId.localeCompare(b.checkId) ||
    (a.resource.cluster ?? "").localeCompare(b.resource.cluster ?? "") ||
    (a.resource.namespace ?? "").localeCompare(b.resource.namespace ?? "") ||
    a.resource.name.localeCompare(b.resource.name) ||
    a.id.localeCompare(b.id)
  );
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

/** Where a finding is, in one short human-readable string. */
export function findingLocation(f: Finding): string {
  const r = f.resource;
  const place = r.cluster ? `${r.cluster}: ` : "";
  if (r.kind === "FederatedCredential") return `${place}FederatedCredential ${identityName(f)}/${r.name}`;
  const object = r.namespace ? `${r.namespace}/${r.name}` : r.name;
  const credential = r.credentialName && r.credentialName !== r.name ? ` (credential ${identityName(f)}/${r.credentialName})` : "";
  return `${place}${r.kind} ${object}${credential}`;
}

/** The identity's name: the last segment of its ARM id, or the app id of an app registration. */
function identityName(f: Finding): string {
  const id = f.resource.identityId ?? f.resource.identityClientId ?? "";
  return id.startsWith("app:") ? id : (id.split("/").pop() ?? id);
}
