/**
 * The Function App's settings in Bicep against the one list of settings the
 * scanner reads (shared/config/settings.ts): nothing the scanner reads is
 * forgotten by the templates unless docs/deploy.md says it is optional, and
 * nothing the templates set goes unread.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SETTINGS, SETTING_NAMES, type SettingName } from "../../shared/config/index.js";
import { objectKeys, parameterDefaults } from "./bicep-text.js";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

const functionApp = read("infra/modules/function-app.bicep");
const main = read("infra/main.bicep");
const mainParameters = JSON.parse(read("infra/main.parameters.json")) as { parameters: Record<string, { value: unknown }> };
const deployDoc = read("docs/deploy.md");

/** What the Functions host (not the scanner) reads: the only other settings the templates may set. */
const HOST_SETTINGS = [
  "AzureWebJobsStorage__accountName",
  "AzureWebJobsStorage__credential",
  "AzureWebJobsStorage__clientId",
  "APPLICATIONINSIGHTS_CONNECTION_STRING",
  "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
];

/** Refused by the Flex Consumption plan (the runtime lives in functionAppConfig), or key-based connections. */
const NEVER_SET = [
  "FUNCTIONS_WORKER_RUNTIME",
  "FUNCTIONS_EXTENSION_VERSION",
  "WEBSITE_RUN_FROM_PACKAGE",
  "WEBSITE_CONTENTSHARE",
  "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
  "AzureWebJobsStorage",
  "APPINSIGHTS_INSTRUMENTATIONKEY",
  "FINDINGS_STORAGE_CONNECTION_STRING",
];

/** Main template parameters that carry a tunable setting's default. */
const TUNABLE_PARAMETERS: Partial<Record<SettingName, string>> = {
  SCAN_SCHEDULE: "scanSchedule",
  SCAN_CONCURRENCY: "scanConcurrency",
  CLUSTER_TIMEOUT_SECONDS: "clusterTimeoutSeconds",
  LOG_TAIL_LINES: "logTailLines",
  LOG_MAX_PODS_PER_CLUSTER: "logMaxPodsPerCluster",
  RETENTION_DAYS: "retentionDays",
  DIGEST_MAX_FINDINGS: "digestMaxFindings",
};

const appSettings = objectKeys(functionApp, "resource appSettings", "properties:");

/** Settings docs/deploy.md lists under "Settings the templates leave unset". */
function documentedOptional(): string[] {
  const section = /^## Settings the templates leave unset\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(deployDoc)?.[1] ?? "";
  return [...section.matchAll(/^\|\s*`([A-Za-z][A-Za-z0-9_]*)`/gm)].map((m) => m[1]!);
}

describe("the Function App settings in Bicep", () => {
  it("set every setting the scanner reads, or docs/deploy.md lists it as optional", () => {
    const optional = documentedOptional();
    const missing = SETTING_NAMES.filter((name) => !appSettings.includes(name) && !optional.includes(name));
    expect(missing, "settings neither set in infra/modules/function-app.bicep nor documented as optional").toEqual([]);
  });

  it("set nothing the scanner or the Functions host does not read", () => {
    const known = new Set<string>([...SETTING_NAMES, ...HOST_SETTINGS]);
    expect(appSettings.filter((name) => !known.has(name))).toEqual([]);
    expect(appSettings.length).toBeGreaterThan(HOST_SETTINGS.length);
  });

  it("document as optional only settings the templates really leave unset", () => {
    const optional = documentedOptional();
    expect(optional.length).toBeGreaterThan(0);
    expect(optional.filter((name) => appSettings.includes(name))).toEqual([]);
    expect(optional.filter((name) => !(SETTING_NAMES as string[]).includes(name))).toEqual([]);
  });

  it("connect to storage and Application Insights by identity, without keys or settings Flex Consumption refuses", () => {
    expect(appSettings.filter((name) => NEVER_SET.includes(name))).toEqual([]);
    expect(appSettings).toEqual(expect.arrayContaining(HOST_SETTINGS));
    expect(functionApp).toMatch(/AzureWebJobsStorage__credential:\s*'managedidentity'/);
    expect(functionApp).toMatch(/APPLICATIONINSIGHTS_AUTHENTICATION_STRING:\s*'ClientId=\$\{identityClientId\};Authorization=AAD'/);
  });

  it("pass every scanner value from the main template to an app setting", () => {
    const declared = objectKeys(functionApp, "type ScannerSettings =").sort();
    const passed = objectKeys(main, "module app ", "scanner:").sort();
    expect(passed).toEqual(declared);
    expect(declared.filter((field) => !new RegExp(`scanner\\.${field}\\b`).test(functionApp))).toEqual([]);
  });

  it("default every tunable parameter to the configuration module's default", () => {
    const defaults = parameterDefaults(main);
    for (const [setting, parameter] of Object.entries(TUNABLE_PARAMETERS) as Array<[SettingName, string]>) {
      const spec = SETTINGS[setting] as { default?: string };
      expect(defaults.get(parameter)?.replace(/^'(.*)'$/, "$1"), `${parameter} (${setting})`).toBe(spec.default);
    }
    expect(mainParameters.parameters.scanSchedule?.value).toBe(`\${WISCAN_SCAN_SCHEDULE=${SETTINGS.SCAN_SCHEDULE.default}}`);
  });
});
