/**
 * The built-in role table (shared/inventory/built-in-roles.json): it parses,
 * it is complete enough that the report never shows a GUID for a built-in role
 * the checks or the demo name, and the privileged roles the checks rely on
 * carry their published names.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PRIVILEGED_ROLES, roleDefinitionGuid } from "../../shared/checks/workload-identity.js";
import { BUILT_IN_ROLE_NAMES, builtInRoleName } from "../../shared/inventory/built-in-roles.js";
import { DEMO_FLEET_DIR } from "../support/demo-answer-key.js";

const raw = readFileSync(new URL("../../shared/inventory/built-in-roles.json", import.meta.url), "utf8");
const file = JSON.parse(raw) as { source: string[]; retrieved: string; roles: Record<string, string> };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("the built-in role table", () => {
  it("lists every role once: lower-case GUIDs, no id twice (JSON.parse would keep only the last), no name twice", () => {
    const ids = Object.keys(file.roles);
    // Counted in the text: a duplicated key is lost by JSON.parse and would pass unseen.
    const idsInText = [...raw.matchAll(/^ {4}"([^"]+)": "/gm)].map((m) => m[1]!);
    expect(idsInText).toEqual(ids);
    for (const id of ids) expect(id).toMatch(GUID);
    // Names are kept exactly as Azure returns them ("Azure Arc VMware Administrator role " ends in a space).
    const names = Object.values(file.roles);
    for (const name of names) expect(name.trim()).not.toBe("");
    const lowerNames = names.map((n) => n.trim().toLowerCase());
    expect(lowerNames.filter((n, i) => lowerNames.indexOf(n) !== i)).toEqual([]);
  });

  it("is the whole published list, with where it came from", () => {
    // The source listed 928 built-in roles on 2026-08-22 (plus one tenant-level role); Azure only adds to it.
    expect(Object.keys(BUILT_IN_ROLE_NAMES).length).toBeGreaterThanOrEqual(929);
    expect(file.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(file.source.join("\n")).toMatch(/commit [0-9a-f]{40}/);
  });

  it("names the privileged roles the checks count, as the checks name them", () => {
    for (const [guid, name] of Object.entries(PRIVILEGED_ROLES)) expect(builtInRoleName(guid), guid).toBe(name);
    expect(builtInRoleName("F58310D9-A9F6-439A-9E8D-F62E7B41A168")).toBe("Role Based Access Control Administrator");
    expect(builtInRoleName("a8889054-8d42-49c9-bc1c-52486c10e7cd")).toBe("Reservations Administrator");
  });

  it("names every role the demo fleet assigns, so its report shows no bare GUID", () => {
    const azure = JSON.parse(readFileSync(`${DEMO_FLEET_DIR}/azure.json`, "utf8")) as { roleAssignments: Array<{ properties: { roleDefinitionId: string } }> };
    const unnamed = azure.roleAssignments.map((a) => roleDefinitionGuid(a.properties.roleDefinitionId)).filter((guid) => builtInRoleName(guid) === undefined);
    expect(unnamed).toEqual([]);
  });
});
