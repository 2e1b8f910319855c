/**
 * Reads a fleet directory (docs/fleet-format.md) and validates it. Every
 * problem names the file, the object and the field, and all problems are
 * reported at once so that a hand-written fleet can be fixed in one pass.
 */
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { FaultsValidationError, parseFaults } from "../faults.js";
import { asksForControllers, isControllersDirective, replicaProblems, runControllers } from "./controllers.js";
import { identityBindingProblems } from "./identity-bindings.js";
import type { AzureFleet, FleetDescription, KubeObject } from "./model.js";

export interface FleetProblem {
  /** File inside the fleet directory, e.g. "azure.json" or "clusters/aks-a.yaml". */
  file: string;
  /** The object concerned, e.g. `managedClusters[2] "aks-a"`; "(file)" for the file as a whole. */
  object: string;
  /** Dotted path inside the object, e.g. "properties.oidcIssuerProfile.issuerURL". */
  field: string;
  problem: string;
}

export class FleetValidationError extends Error {
  override readonly name = "FleetValidationError";
  constructor(
    readonly source: string,
    readonly problems: ReadonlyArray<FleetProblem>,
  ) {
    super(
      `Invalid fleet description (${source}):\n` +
        problems.map((p) => `  - ${p.file}: ${p.object}: ${p.field}: ${p.problem}`).join("\n"),
    );
  }
}

/**
 * Loads and validates a fleet directory.
 *
 * @example
 * const fleet = await loadFleet("test/fleets/demo");
 */
export async function loadFleet(dir: string): Promise<FleetDescription> {
  const problems: FleetProblem[] = [];
  const azure = (await readJson(join(dir, "azure.json"), "azure.json", problems, true)) as AzureFleet | undefined;

  const clusters = new Map<string, KubeObject[]>();
  const clusterFiles = await listYamlFiles(join(dir, "clusters"));
  for (const file of clusterFiles) {
    const name = file.replace(/\.ya?ml$/, "");
    const relative = `clusters/${file}`;
    const text = await readFile(join(dir, "clusters", file), "utf8");
    const objects: KubeObject[] = [];
    // A document asking the simulator to act as kube-controller-manager (simulator/fleet/controllers.ts).
    let controllers = false;
    for (const [index, doc] of parseAllDocuments(text).entries()) {
      if (doc.errors.length > 0) {
        for (const error of doc.errors) {
          problems.push({ file: relative, object: `document ${index + 1}`, field: "(yaml)", problem: error.message });
        }
        continue;
      }
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) continue; // an empty document between separators
      if (isControllersDirective(value)) {
        controllers ||= asksForControllers(value);
        continue;
      }
      objects.push(value as KubeObject);
    }
    const refused = controllers ? replicaProblems(objects) : [];
    for (const { object, problem } of refused) problems.push({ file: relative, object, field: "spec.replicas", problem });
    clusters.set(name, controllers && refused.length === 0 ? runControllers(objects) : objects);
  }

  const logs = ((await readJson(join(dir, "logs.json"), "logs.json", problems, false)) ?? {}) as Record<string, string[]>;
  const faults = (await readJson(join(dir, "faults.json"), "faults.json", problems, false)) ?? {};

  if (problems.length > 0 || azure === undefined) throw new FleetValidationError(dir, problems);
  const fleet: FleetDescription = { source: dir, azure, clusters, logs, faults };
  validateFleet(fleet);
  return fleet;
}

/** Validates a fleet held in memory (loaded or generated); throws FleetValidationError listing every problem. */
export function validateFleet(fleet: FleetDescription): void {
  const problems: FleetProblem[] = [];
  const azure = fleet.azure as unknown;
  const file = "azure.json";
  if (!isRecord(azure)) {
    problems.push({ file, object: "(file)", field: "(root)", problem: "must be a JSON object" });
    throw new FleetValidationError(fleet.source, problems);
  }
  const at = (object: string) => new FieldChecker(file, object, problems);

  const root = at("(root)");
  root.guid(azure, "tenantId");
  if (azure.scannerGuestTenants !== undefined) {
    root.stringArray(azure, "scannerGuestTenants");
    for (const [i, tenant] of (Array.isArray(azure.scannerGuestTenants) ? azure.scannerGuestTenants : []).entries()) {
      if (typeof tenant !== "string" || !GUID.test(tenant)) root.problem(`scannerGuestTenants[${i}]`, "must be a tenant id (a GUID)");
    }
  }
  const subscriptionIds = new Set<string>();
  for (const [i, sub] of root.array(azure, "subscriptions").entries()) {
    const c = at(`subscriptions[${i}]`);
    if (!c.object(sub)) continue;
    if (c.guid(sub, "subscriptionId")) subscriptionIds.add(String(sub.subscriptionId).toLowerCase());
    c.string(sub, "displayName");
  }

  const clusterNames = new Set<string>();
  const clusterIds = new Map<string, string>();
  for (const [i, cluster] of root.array(azure, "managedClusters").entries()) {
    const c = at(`managedClusters[${i}]${label(cluster)}`);
    if (!c.object(cluster)) continue;
    checkArmResource(c, cluster, "Microsoft.ContainerService/managedClusters", subscriptionIds);
    c.string(cluster, "location");
    c.optionalType(cluster, "properties.fqdn", "string");
    c.optionalType(cluster, "properties.privateFQDN", "string");
    c.optionalType(cluster, "properties.kubernetesVersion", "string");
    c.optionalType(cluster, "properties.disableLocalAccounts", "boolean");
    c.optionalType(cluster, "properties.oidcIssuerProfile.enabled", "boolean");
    c.optionalType(cluster, "properties.oidcIssuerProfile.issuerURL", "string");
    c.optionalType(cluster, "properties.securityProfile.workloadIdentity.enabled", "boolean");
    c.optionalType(cluster, "properties.aadProfile.managed", "boolean");
    c.optionalType(cluster, "properties.aadProfile.enableAzureRBAC", "boolean");
    c.optionalType(cluster, "properties.apiServerAccessProfile.enablePrivateCluster", "boolean");
    c.optionalType(cluster, "properties.powerState.code", "string");
    if (typeof cluster.id === "string") clusterIds.set(cluster.id.toLowerCase(), cluster.id);
    if (typeof cluster.name === "string") {
      if (clusterNames.has(cluster.name)) {
        c.problem("name", `"${cluster.name}" is used by another managed cluster; cluster names must be unique in a fleet (they name clusters/<name>.yaml)`);
      }
      clusterNames.add(cluster.name);
    }
  }

  const identityIds = new Map<string, string>();
  for (const [i, identity] of root.array(azure, "userAssignedIdentities").entries()) {
    const c = at(`userAssignedIdentities[${i}]${label(identity)}`);
    if (!c.object(identity)) continue;
    checkArmResource(c, identity, "Microsoft.ManagedIdentity/userAssignedIdentities", subscriptionIds);
    c.string(identity, "location");
    c.guid(identity, "properties.clientId");
    c.guid(identity, "properties.principalId");
    c.guid(identity, "properties.tenantId");
    if (typeof identity.id === "string") identityIds.set(identity.id.toLowerCase(), identity.id);
  }

  const fics = azure.federatedIdentityCredentials;
  if (!isRecord(fics)) {
    root.problem("federatedIdentityCredentials", "must be an object keyed by identity resource id");
  } else {
    for (const [identityId, list] of Object.entries(fics)) {
      const known = identityIds.get(identityId.toLowerCase());
      if (known === undefined) {
        root.problem(`federatedIdentityCredentials["${identityId}"]`, "names no identity in userAssignedIdentities");
      } else if (known !== identityId) {
        root.problem(`federatedIdentityCredentials["${identityId}"]`, `must be written exactly as the identity's id ("${known}")`);
      }
      if (!Array.isArray(list)) {
        root.problem(`federatedIdentityCredentials["${identityId}"]`, "must be an array of federated identity credentials");
        continue;
      }
      for (const [j, fic] of list.entries()) {
        const c = at(`federatedIdentityCredentials["${identityId}"][${j}]${label(fic)}`);
        if (!c.object(fic)) continue;
        c.string(fic, "id");
        c.string(fic, "name");
        c.string(fic, "properties.issuer");
        c.credentialTrust(fic, "properties.");
        c.stringArray(fic, "properties.audiences");
      }
    }
  }

  problems.push(...identityBindingProblems(azure.identityBindings, clusterIds, identityIds));

  // foreignApplications (optional) share the applications' shape: app registrations of other tenants.
  const applicationLists = ["applications", ...(azure.foreignApplications === undefined ? [] : ["foreignApplications"])];
  for (const [key, i, app] of applicationLists.flatMap((key) => root.array(azure, key).map((app, i) => [key, i, app] as const))) {
    const c = at(`${key}[${i}]${label(app, "displayName")}`);
    if (!c.object(app)) continue;
    c.string(app, "id");
    c.guid(app, "appId");
    c.string(app, "displayName");
    const appFics = app.federatedIdentityCredentials;
    if (appFics === undefined) continue;
    if (!Array.isArray(appFics)) {
      c.problem("federatedIdentityCredentials", "must be an array");
      continue;
    }
    for (const [j, fic] of appFics.entries()) {
      const f = at(`${key}[${i}]${label(app, "displayName")} federatedIdentityCredentials[${j}]${label(fic)}`);
      if (!f.object(fic)) continue;
      f.string(fic, "name");
      f.string(fic, "issuer");
      f.credentialTrust(fic, "");
      f.stringArray(fic, "audiences");
    }
    c.optionalEnum(app, "signInAudience", SIGN_IN_AUDIENCES);
  }
  for (const [i, sp] of root.array(azure, "servicePrincipals").entries()) {
    const c = at(`servicePrincipals[${i}]${label(sp, "displayName")}`);
    if (!c.object(sp)) continue;
    c.string(sp, "id");
    c.guid(sp, "appId");
    c.string(sp, "displayName");
    if (sp.appOwnerOrganizationId !== undefined && sp.appOwnerOrganizationId !== null) c.guid(sp, "appOwnerOrganizationId");
    c.optionalEnum(sp, "signInAudience", SIGN_IN_AUDIENCES);
  }
  for (const [i, assignment] of root.array(azure, "roleAssignments").entries()) {
    const c = at(`roleAssignments[${i}]${label(assignment)}`);
    if (!c.object(assignment)) continue;
    c.string(assignment, "id");
    c.string(assignment, "name");
    c.guid(assignment, "properties.principalId");
    c.string(assignment, "properties.roleDefinitionId");
    c.string(assignment, "properties.scope");
  }
  if (azure.roleDefinitions !== undefined) {
    for (const [i, definition] of root.array(azure, "roleDefinitions").entries()) {
      const c = at(`roleDefinitions[${i}]${label(definition)}`);
      if (!c.object(definition)) continue;
      c.string(definition, "id");
      c.string(definition, "properties.roleName");
    }
  }

  for (const [name, objects] of fleet.clusters) {
    const clusterFile = `clusters/${name}.yaml`;
    if (!clusterNames.has(name)) {
      problems.push({ file: clusterFile, object: "(file)", field: "(name)", problem: `names no managed cluster in azure.json (known: ${[...clusterNames].join(", ") || "none"})` });
    }
    for (const [i, object] of objects.entries()) {
      const c = new FieldChecker(clusterFile, `document ${i + 1}${kubeLabel(object)}`, problems);
      if (!c.object(object)) continue;
      c.string(object, "apiVersion");
      c.string(object, "kind");
      c.string(object, "metadata.name");
      c.optionalType(object, "metadata.namespace", "string");
    }
  }

  if (!isRecord(fleet.logs)) {
    problems.push({ file: "logs.json", object: "(file)", field: "(root)", problem: "must be an object keyed by <cluster>/<namespace>/<pod>/<container>" });
  } else {
    for (const [key, lines] of Object.entries(fleet.logs)) {
      const parts = key.split("/");
      if (parts.length !== 4 || parts.some((p) => p === "")) {
        problems.push({ file: "logs.json", object: `"${key}"`, field: "(key)", problem: "must have the form <cluster>/<namespace>/<pod>/<container>" });
      } else if (!clusterNames.has(parts[0] ?? "")) {
        problems.push({ file: "logs.json", object: `"${key}"`, field: "(key)", problem: `names no managed cluster "${parts[0]}"` });
      }
      if (!Array.isArray(lines) || lines.some((l) => typeof l !== "string")) {
        problems.push({ file: "logs.json", object: `"${key}"`, field: "(value)", problem: "must be an array of strings" });
      }
    }
  }

  try {
    parseFaults(fleet.faults);
  } catch (error) {
    if (!(error instanceof FaultsValidationError)) throw error;
    for (const issue of error.issues) {
      const rule = /^rules\[(\d+)\]\.?(.*)$/.exec(issue.field);
      problems.push({
        file: "faults.json",
        object: rule ? `rules[${rule[1]}]` : "(root)",
        field: rule ? rule[2] || "(rule)" : issue.field,
        problem: issue.problem,
      });
    }
  }
  const faultRules = isRecord(fleet.faults) && Array.isArray(fleet.faults.rules) ? fleet.faults.rules : [];
  for (const [i, rule] of faultRules.entries()) {
    if (isRecord(rule) && typeof rule.cluster === "string" && !clusterNames.has(rule.cluster)) {
      problems.push({ file: "faults.json", object: `rules[${i}]`, field: "cluster", problem: `names no managed cluster "${rule.cluster}"` });
    }
  }

  if (problems.length > 0) throw new FleetValidationError(fleet.source, problems);
}

const ARM_ID = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/([^/]+\/[^/]+)\/([^/]+)$/i;

function checkArmResource(c: FieldChecker, resource: Record<string, unknown>, type: string, subscriptionIds: Set<string>): void {
  if (!c.string(resource, "id") || !c.string(resource, "name")) return;
  const id = String(resource.id);
  const match = ARM_ID.exec(id);
  if (!match) {
    c.problem("id", `must look like /subscriptions/<guid>/resourceGroups/<group>/providers/${type}/<name> (got "${id}")`);
    return;
  }
  const [, subscriptionId = "", , provider = "", name = ""] = match;
  if (provider.toLowerCase() !== type.toLowerCase()) c.problem("id", `must be a ${type} id (got provider "${provider}")`);
  if (name !== resource.name) c.problem("name", `must equal the last segment of id ("${name}")`);
  if (!subscriptionIds.has(subscriptionId.toLowerCase())) c.problem("id", `names subscription ${subscriptionId}, which is not in subscriptions`);
  if (resource.type !== undefined && (typeof resource.type !== "string" || resource.type.toLowerCase() !== type.toLowerCase())) {
    c.problem("type", `must be "${type}" when present`);
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Graph application signInAudience values (application resource type, v1.0). */
const SIGN_IN_AUDIENCES = ["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"] as const;

/** Checks fields of one object, recording problems with the file and object name. */
class FieldChecker {
  constructor(
    private readonly file: string,
    private readonly objectName: string,
    private readonly problems: FleetProblem[],
  ) {}

  problem(field: string, problem: string): void {
    this.problems.push({ file: this.file, object: this.objectName, field, problem });
  }

  object(value: unknown): value is Record<string, unknown> {
    if (isRecord(value)) return true;
    this.problem("(object)", "must be an object");
    return false;
  }

  array(parent: Record<string, unknown>, field: string): unknown[] {
    const value = parent[field];
    if (Array.isArray(value)) return value;
    this.problem(field, value === undefined ? "is required (an array; may be empty)" : "must be an array");
    return [];
  }

  string(parent: Record<string, unknown>, path: string): boolean {
    const value = get(parent, path);
    if (typeof value === "string" && value !== "") return true;
    this.problem(path, value === undefined ? "is required" : `must be a non-empty string (got ${JSON.stringify(value)})`);
    return false;
  }

  guid(parent: Record<string, unknown>, path: string): boolean {
    const value = get(parent, path);
    if (typeof value === "string" && GUID.test(value)) return true;
    this.problem(path, value === undefined ? "is required (a GUID)" : `must be a GUID (got ${JSON.stringify(value)})`);
    return false;
  }

  stringArray(parent: Record<string, unknown>, path: string): void {
    const value = get(parent, path);
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return;
    this.problem(path, value === undefined ? "is required (an array of strings)" : "must be an array of strings");
  }

  /**
   * A federated credential trusts either one exact `subject` or a flexible
   * `claimsMatchingExpression` ({ value, languageVersion }), never both
   * (ARM 2025-01-31-preview: "Either 'subject' or 'claimsMatchingExpression'
   * must be defined, but not both"; Graph beta: "If claimsMatchingExpression
   * is defined, subject must be null"). Graph writes the absent one as null.
   */
  credentialTrust(fic: Record<string, unknown>, prefix: string): void {
    const subject = get(fic, `${prefix}subject`);
    const expression = get(fic, `${prefix}claimsMatchingExpression`);
    const hasSubject = subject !== undefined && subject !== null;
    const hasExpression = expression !== undefined && expression !== null;
    if (hasSubject && hasExpression) {
      this.problem(`${prefix}subject`, "must be absent or null when claimsMatchingExpression is set (they are mutually exclusive)");
    } else if (hasExpression) {
      this.string(fic, `${prefix}claimsMatchingExpression.value`);
      if (typeof get(fic, `${prefix}claimsMatchingExpression.languageVersion`) !== "number") {
        this.problem(`${prefix}claimsMatchingExpression.languageVersion`, "is required (a number; 1 today)");
      }
    } else if (hasSubject) {
      this.string(fic, `${prefix}subject`);
    } else {
      this.problem(`${prefix}subject`, "is required (a string), unless claimsMatchingExpression is set");
    }
  }

  optionalEnum(parent: Record<string, unknown>, path: string, values: readonly string[]): void {
    const value = get(parent, path);
    if (value === undefined || (typeof value === "string" && values.includes(value))) return;
    this.problem(path, `must be one of ${values.join(", ")} (got ${JSON.stringify(value)})`);
  }

  optionalType(parent: Record<string, unknown>, path: string, type: "string" | "boolean"): void {
    const value = get(parent, path);
    if (value === undefined || value === null || typeof value === type) return;
    this.problem(path, `must be a ${type} (got ${JSON.stringify(value)})`);
  }
}

function get(object: Record<string, unknown>, path: string): unknown {
  let current: unknown = object;
  for (const key of path.split(".")) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function label(value: unknown, key = "name"): string {
  return isRecord(value) && typeof value[key] === "string" ? ` "${value[key]}"` : "";
}

function kubeLabel(value: unknown): string {
  if (!isRecord(value) || !isRecord(value.metadata)) return "";
  const { name, namespace } = value.metadata;
  const kind = typeof value.kind === "string" ? value.kind : "object";
  if (typeof name !== "string") return ` (${kind})`;
  return ` (${kind} ${typeof namespace === "string" ? `${namespace}/` : ""}${name})`;
}

async function readJson(path: string, file: string, problems: FleetProblem[], required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !required) return undefined;
    problems.push({ file, object: "(file)", field: "(file)", problem: `cannot be read: ${(error as Error).message}` });
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    problems.push({ file, object: "(file)", field: "(json)", problem: `is not valid JSON: ${(error as Error).message}` });
    return undefined;
  }
}

async function listYamlFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

