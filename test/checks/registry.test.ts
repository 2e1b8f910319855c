import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildFleetView, CHECKS, runClusterChecks, runFleetChecks } from "../../shared/checks/index.js";
import { CLIENT_ID, TENANT, findingsOfSelection, first, healthyFleet, identity, inventory, pod, snapshot } from "./builders.js";
import { CHECK_IDS } from "../../shared/findings/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const catalogDir = join(root, "shared", "checks", "catalog");
/** Catalog ids without a registered check (none left). */
const NOT_YET: string[] = [];
const KNOWN_CONTROLS = ["MCSB IM-1", "MCSB IM-3", "MCSB PA-7"];

describe("the check registry", () => {
  it("has unique ids, every one from the catalog, and every catalog id", () => {
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(CHECK_IDS).toContain(id);
    expect([...ids].sort()).toEqual(CHECK_IDS.filter((id) => !NOT_YET.includes(id)).sort());
  });

  it("keeps each check in the catalog file named after its id, one check per file", async () => {
    const files = readdirSync(catalogDir).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBe(CHECKS.length);
    for (const file of files) {
      const module = (await import(join(catalogDir, file))) as Record<string, unknown>;
      const checks = Object.values(module).filter((v): v is { id: string } => typeof v === "object" && v !== null && "id" in v);
      expect(checks, file).toHaveLength(1);
      expect(file).toBe(`${checks[0]!.id.replace(".", "-")}.ts`);
      expect(CHECKS, `${file} is not registered`).toContain(checks[0]);
    }
  });

  it("gives every check a title, severity rule, risk, remediation, documentation link and known controls", () => {
    for (const check of CHECKS) {
      expect(check.title.length, check.id).toBeGreaterThan(10);
      expect(check.severityRule, check.id).toMatch(/\b(high|medium|low|info)\b/);
      expect(check.risk.length, check.id).toBeGreaterThan(30);
      expect(check.remediation.length, check.id).toBeGreaterThan(20);
      expect(check.docsUrl, check.id).toMatch(/^https:\/\//);
      for (const control of check.controls) expect(KNOWN_CONTROLS, check.id).toContain(control);
      expect(check.evaluateCluster ?? check.evaluateFleet, check.id).toBeTypeOf("function");
    }
  });

  it("has a test where each check fires and one where it stays quiet", () => {
    const sources = readdirSync(here)
      .filter((f) => f.endsWith(".test.ts"))
      .map((f) => readFileSync(join(here, f), "utf8"))
      .join("\n");
    for (const check of CHECKS) {
      expect(sources, `no fires("${check.id}", ...)`).toContain(`fires("${check.id}"`);
      expect(sources, `no quiet("${check.id}", ...)`).toContain(`quiet("${check.id}"`);
    }
  });

  it("lets only a cluster check supersede, and only fleet checks about credentials", () => {
    const byId = new Map(CHECKS.map((c) => [c.id, c]));
    const superseding = CHECKS.filter((c) => (c.supersedes ?? []).length > 0);
    expect(superseding.map((c) => c.id)).toEqual(["fic.issuer-mismatch"]);
    for (const check of superseding) {
      // Claims travel from a cluster's findings to the fleet checks that run after every cluster.
      expect(check.evaluateCluster, check.id).toBeTypeOf("function");
      for (const id of check.supersedes ?? []) {
        expect(id, check.id).not.toBe(check.id);
        expect(byId.get(id)?.evaluateFleet, `${check.id} supersedes ${id}`).toBeTypeOf("function");
      }
    }
  });

  it("lists every check in docs/checks.md with its severity rule", () => {
    const docs = readFileSync(join(root, "docs", "checks.md"), "utf8");
    for (const check of CHECKS) {
      expect(docs, check.id).toContain(`### \`${check.id}\``);
      expect(docs, `${check.id} severity rule`).toContain(check.severityRule);
    }
  });

  it("declares what each check reads, so that a cluster nobody could read covers none of the checks that read it", () => {
    const kubernetes = new Set(["namespaces", "serviceaccounts", "pods", "workloads", "services", "deployments", "mutatingwebhookconfigurations", "pods/log"]);
    const fleet = healthyFleet();
    const down = first(fleet);
    down.accessPath = "none";
    down.errors = [{ kind: "unreachable", resource: "namespaces", verb: "list", message: "connect ETIMEDOUT" }];
    down.namespaces = [];
    down.serviceAccounts = [];
    down.pods = [];
    down.workloads = [];
    const { coverage, failures } = runClusterChecks(buildFleetView(fleet.inventory), down);
    expect(failures).toEqual([]);
    for (const check of CHECKS) {
      expect(check.reads, check.id).toBeInstanceOf(Array);
      const state = coverage.checks.find((c) => c.checkId === check.id)?.state;
      if (check.evaluateCluster !== undefined && check.reads.some((r) => kubernetes.has(r))) expect(state, check.id).toBe("none");
    }
  });

  it("runs every check on an empty inventory and an empty cluster without a failure or a finding", () => {
    const view = buildFleetView(inventory({ clusters: [], identities: [], roleAssignments: [], subscriptions: [] }));
    const empty = snapshot({ namespaces: [], serviceAccounts: [], pods: [], workloads: [], webhookDeployments: [], mutatingWebhooks: [] });
    const cluster = runClusterChecks(view, empty);
    const fleetResult = runFleetChecks(view, []);
    expect(cluster.failures).toEqual([]);
    expect(fleetResult.failures).toEqual([]);
    expect(fleetResult.findings).toEqual([]);
    // Workload identity is on in the builder's cluster and no webhook runs: that one thing is said, once.
    expect(cluster.findings.map((f) => f.checkId)).toEqual(["cluster.webhook-not-running"]);
  });

  it("emits no update or delete command for an AKS identity-binding credential (\"managed by AKS: don't modify or delete it\")", () => {
    // azure-aks-docs articles/aks/identity-bindings.md. Every shape that draws a fix on an ordinary
    // credential: unused, an AKS-looking issuer no cluster has, an audience other than
    // api://AzureADTokenExchange, beside labelled pods that do and do not opt in.
    const binding = (audience: string) => ({
      name: "aks-identity-binding",
      issuer: `https://ib.oic.prod-aks.azure.com/${TENANT}/${CLIENT_ID}`,
      trust: { kind: "identity-binding" as const },
      audiences: [audience],
    });
    const fleet = {
      inventory: inventory({
        identities: [
          identity({ federatedCredentials: [binding("api://AzureADTokenExchange")] }),
          identity({ name: "id-other", clientId: "0f0f0f0f-1e1e-4d2d-8c3c-4b4b4b4b4b4b", federatedCredentials: [binding("other")] }),
        ],
      }),
      snapshots: [snapshot({ pods: [pod(), pod({ name: "opted-in", owner: undefined, annotations: { "azure.workload.identity/use-identity-binding": "true" } })] })],
    };
    const findings = findingsOfSelection({}, fleet);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      const command = f.remediation.command ?? "";
      if (f.resource.credentialName === "aks-identity-binding" || command.includes("aks-identity-binding")) {
        expect(command, `${f.checkId}: ${command}`).not.toMatch(/federated-credential (update|delete)/);
      }
    }
  });
});
