/**
 * Inputs Azure accepts, read from the templates' text (no Bicep compiler here):
 * the Flex Consumption bounds of maximumInstanceCount, a location list azd can
 * offer, custom role names unique in the tenant, the host storage roles, and
 * the ACS sending limits' defaults. Sources are cited in the templates.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../../shared/config/index.js";
import { blankCommentsAndStrings, objectLiteral, parameterDefaults, type BicepValue } from "./bicep-text.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");
const main = read("infra/main.bicep");
const functionApp = read("infra/modules/function-app.bicep");
const roleDefinitions = read("infra/modules/scanner-role-definitions.bicep");
const communication = read("infra/modules/communication.bicep");
const storage = read("infra/modules/storage.bicep");
const builtIn = JSON.parse(read("infra/roles/built-in.json")) as Record<string, { name: string; id: string }>;

/** The decorators written above `param <name>` (from the end of the previous statement), comments left out. */
function decorators(source: string, name: string): string {
  const text = blankCommentsAndStrings(source);
  const at = new RegExp(`^param\\s+${name}\\b`, "m").exec(text)?.index;
  if (at === undefined) throw new Error(`param ${name} not found`);
  const before = source.slice(0, at);
  const start = before.search(/\n(?:param|var|resource|module|output|type|targetScope)\b[^\n]*\n(?![\s\S]*\n(?:param|var|resource|module|output|type|targetScope)\b)/);
  return before
    .slice(start === -1 ? 0 : start)
    .split("\n")
    .filter((l) => !l.trim().startsWith("//"))
    .join("\n");
}

/** Every `roleName: '...'` of role definitions in a template. */
const roleNames = (source: string) => [...source.matchAll(/^\s*roleName:\s*'([^']*)'/gm)].map((m) => m[1]!);

describe("inputs Azure accepts", () => {
  it("maximumInstanceCount stays within Flex Consumption's 40 to 1000, in main.bicep and the module", () => {
    for (const [file, source] of [["main.bicep", main], ["function-app.bicep", functionApp]] as const) {
      const d = decorators(source, "maximumInstanceCount");
      expect(d, file).toMatch(/@minValue\(40\)/);
      expect(d, file).toMatch(/@maxValue\(1000\)/);
    }
    expect(Number(parameterDefaults(main).get("maximumInstanceCount"))).toBeGreaterThanOrEqual(40);
  });

  it("location is a list of regions with azd's location metadata, so azd offers only those", () => {
    const d = decorators(main, "location");
    const allowed = /@allowed\(\[([\s\S]*?)\]\)/.exec(d)?.[1];
    expect(allowed, "@allowed on location").toBeDefined();
    const regions = [...allowed!.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
    expect(regions.length).toBeGreaterThan(10);
    expect(regions.filter((r) => !/^[a-z0-9]+$/.test(r))).toEqual([]);
    expect(new Set(regions).size).toBe(regions.length);
    for (const usual of ["westeurope", "northeurope", "eastus", "eastus2", "swedencentral", "uksouth"]) expect(regions).toContain(usual);
    expect(d).toMatch(/@metadata\(\{\s*azd:\s*\{\s*type:\s*'location'\s*\}\s*\}\)/);
  });

  it("custom role names carry a GUID of subscription and environment, so two installs in one tenant never share a name", () => {
    const suffix = /^var roleNameSuffix = '(.*)'$/m.exec(main)?.[1];
    expect(suffix).toBeDefined();
    expect(suffix).toContain("${environmentName}");
    expect(suffix).toContain("${roleNameId}");
    expect(main).toMatch(/^var roleNameId = guid\(subscription\(\)\.id, environmentName\b/m);
    // Both modules that define roles get it, not the bare environment name.
    for (const anchor of ["module email ", "module roleDefinitions "]) {
      const params = (objectLiteral(main, anchor, "params:") as Record<string, BicepValue>).roleNameSuffix;
      expect(params, anchor).toEqual({ expr: "roleNameSuffix" });
    }
    for (const [file, source] of [["scanner-role-definitions.bicep", roleDefinitions], ["communication.bicep", communication]] as const) {
      const names = roleNames(source);
      expect(names.length, file).toBeGreaterThan(0);
      expect(names.filter((n) => !n.includes("${roleNameSuffix}")), file).toEqual([]);
    }
    // The definitions' ids stay what they were (environment name, not the display suffix), so existing assignments survive the rename.
    expect(roleDefinitions).not.toMatch(/guid\([^)]*roleNameSuffix/);
    expect(communication).not.toMatch(/guid\([^)]*roleNameSuffix/);
  });

  it("the host's storage account grants Storage Blob Data Owner, Queue and Table Data Contributor", () => {
    expect(builtIn.storageBlobDataOwner).toEqual({ name: "Storage Blob Data Owner", id: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b" });
    const roles = /var dataRoles = \[([\s\S]*?)\]/.exec(blankCommentsAndStrings(storage))?.[1] ?? "";
    const names = [...roles.matchAll(/builtIn\.(\w+)\.id/g)].map((m) => m[1]).sort();
    expect(names).toEqual(["storageBlobDataOwner", "storageQueueDataContributor", "storageTableDataContributor"]);
  });

  it("defaults the ACS sending limits to the Azure-managed domain's, the same as the settings", () => {
    const defaults = parameterDefaults(main);
    const pairs = [
      ["acsEmailsPerMinute", "ACS_EMAILS_PER_MINUTE", "5"],
      ["acsEmailsPerHour", "ACS_EMAILS_PER_HOUR", "10"],
      ["acsRecipientsPerEmail", "ACS_RECIPIENTS_PER_EMAIL", "50"],
    ] as const;
    for (const [parameter, setting, value] of pairs) {
      expect(defaults.get(parameter), parameter).toBe(value);
      expect((SETTINGS[setting] as { default?: string }).default, setting).toBe(value);
    }
    expect(decorators(main, "acsRecipientsPerEmail")).toMatch(/@maxValue\(50\)/);
  });
});
