/**
 * The infrastructure half of "who may call the API" (issue 15, point 1):
 * App Service Authentication in infra/modules/function-app.bicep, the API's
 * app registration (infra/roles/api-app-roles.json, created by the azd
 * preprovision hook) and what docs/permissions.md and docs/deploy.md say.
 * The app roles are the ones the code checks: APP_ROLES of shared/auth/principal.ts.
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { APP_ROLES } from "../../shared/auth/principal.js";
import { type BicepValue, objectLiteral, parameterDefaults } from "./bicep-text.js";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

const functionApp = read("infra/modules/function-app.bicep");
const main = read("infra/main.bicep");
const mainParameters = JSON.parse(read("infra/main.parameters.json")) as { parameters: Record<string, { value: unknown }> };
const azureYaml = parseYaml(read("azure.yaml")) as { hooks?: Record<string, { posix?: { run?: string; continueOnError?: boolean } }> };
const createApiApp = read("infra/scripts/create-api-app.sh");
const assignApiRole = read("infra/scripts/assign-api-role.sh");
const permissionsDoc = read("docs/permissions.md");
const deployDoc = read("docs/deploy.md");

interface AppRole {
  id: string;
  value: string;
  displayName: string;
  description: string;
  allowedMemberTypes: string[];
  isEnabled: boolean;
}
const appRoles = JSON.parse(read("infra/roles/api-app-roles.json")) as AppRole[];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type BicepObject = { [key: string]: BicepValue };
const at = (value: BicepValue | undefined, ...path: string[]): BicepValue | undefined =>
  path.reduce<BicepValue | undefined>((v, key) => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as BicepObject)[key] : undefined), value);

/** Every `a.b.c` path to a value that is not an object. */
function leafPaths(value: BicepValue, prefix = ""): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value) || "expr" in value) return [prefix];
  return Object.entries(value).flatMap(([key, v]) => leafPaths(v, prefix ? `${prefix}.${key}` : key));
}

/**
 * SiteAuthSettingsV2 properties the templates may set, as published: the
 * Azure REST API example specification/web/resource-manager/Microsoft.Web/
 * stable/2024-04-01/examples/UpdateAuthSettingsV2.json, the template reference
 * learn.microsoft.com/azure/templates/microsoft.web/sites/config-authsettingsv2
 * and, for the Entra ID provider, learn.microsoft.com/azure/app-service/
 * configure-authentication-provider-aad. A misspelt property is silently
 * ignored by ARM; here it fails.
 */
const PUBLISHED_AUTH_PROPERTIES = [
  "platform.enabled",
  "platform.runtimeVersion",
  "globalValidation.requireAuthentication",
  "globalValidation.unauthenticatedClientAction",
  "globalValidation.redirectToProvider",
  "globalValidation.excludedPaths",
  "httpSettings.requireHttps",
  "httpSettings.routes.apiPrefix",
  "identityProviders.azureActiveDirectory.enabled",
  "identityProviders.azureActiveDirectory.registration.clientId",
  "identityProviders.azureActiveDirectory.registration.openIdIssuer",
  "identityProviders.azureActiveDirectory.registration.clientSecretSettingName",
  "identityProviders.azureActiveDirectory.login.disableWWWAuthenticate",
  "identityProviders.azureActiveDirectory.validation.allowedAudiences",
  "identityProviders.azureActiveDirectory.validation.defaultAuthorizationPolicy.allowedApplications",
  "identityProviders.azureActiveDirectory.validation.defaultAuthorizationPolicy.allowedPrincipals.identities",
  "login.tokenStore.enabled",
];

describe("App Service Authentication on the Function App (infra/modules/function-app.bicep)", () => {
  const auth = objectLiteral(functionApp, "resource authSettings ") as BicepObject;
  const properties = at(auth, "properties") as BicepObject;
  const entra = at(properties, "identityProviders", "azureActiveDirectory");

  it("is the authsettingsV2 configuration of the scanner's site", () => {
    expect(functionApp).toMatch(/^resource authSettings 'Microsoft\.Web\/sites\/config@\d{4}-\d{2}-\d{2}' = \{/m);
    expect(auth.name).toBe("authsettingsV2");
    expect(auth.parent).toEqual({ expr: "site" });
    expect(functionApp.match(/name: 'authsettingsV2'/g)).toHaveLength(1);
  });

  it("rejects every unauthenticated request with 401, on every path", () => {
    expect(at(properties, "platform", "enabled")).toBe(true);
    expect(at(properties, "globalValidation", "requireAuthentication")).toBe(true);
    expect(at(properties, "globalValidation", "unauthenticatedClientAction")).toBe("Return401");
    // The decision (docs/permissions.md): nothing is excluded, the host's own webhooks included.
    expect(at(properties, "globalValidation", "excludedPaths")).toBeUndefined();
    expect(at(properties, "httpSettings", "requireHttps")).toBe(true);
  });

  it("validates Entra ID tokens of the API's app registration, from the tenant's v2.0 issuer", () => {
    expect(at(entra, "enabled")).toBe(true);
    expect(at(entra, "registration", "clientId")).toEqual({ expr: "apiClientId" });
    expect(at(entra, "registration", "openIdIssuer")).toEqual({ expr: "openIdIssuer" });
    expect(functionApp).toMatch(/^var loginEndpoint = environment\(\)\.authentication\.loginEndpoint$/m);
    expect(functionApp).toMatch(/^var openIdIssuer = '\$\{loginAuthority\}\/\$\{tenant\(\)\.tenantId\}\/v2\.0'$/m);
    // Only bearer tokens: no secret for a sign-in flow the API never uses.
    expect(at(entra, "registration", "clientSecretSettingName")).toBeUndefined();
  });

  it("accepts the API's audiences only: its identifier URI and its client id", () => {
    expect(at(entra, "validation", "allowedAudiences")).toEqual(["api://${apiClientId}", { expr: "apiClientId" }]);
  });

  it("keeps no token store", () => {
    expect(at(properties, "login", "tokenStore", "enabled")).toBe(false);
  });

  it("sets only published SiteAuthSettingsV2 properties, and cites where they come from", () => {
    expect(leafPaths(properties).filter((path) => !PUBLISHED_AUTH_PROPERTIES.includes(path))).toEqual([]);
    expect(functionApp).toContain("examples/UpdateAuthSettingsV2.json");
    expect(functionApp).toContain("learn.microsoft.com/azure/templates/microsoft.web/sites/config-authsettingsv2");
  });

  it("gets the API's client id from the azd environment, with no default to fall back on", () => {
    expect(main).toMatch(/^param apiClientId string$/m);
    expect(parameterDefaults(main).has("apiClientId")).toBe(false);
    expect(functionApp).toMatch(/^param apiClientId string$/m);
    expect(at(objectLiteral(main, "module app "), "params", "apiClientId")).toEqual({ expr: "apiClientId" });
    expect(mainParameters.parameters.apiClientId?.value).toBe("${WISCAN_API_CLIENT_ID}");
  });
});

describe("the API's app roles (infra/roles/api-app-roles.json)", () => {
  it("are exactly the roles the code checks (APP_ROLES)", () => {
    expect(appRoles.map((r) => r.value).sort()).toEqual(Object.values(APP_ROLES).sort());
  });

  it("have unique, stable GUID ids, distinct from the delegated scope's", () => {
    const ids = appRoles.map((r) => r.id);
    expect(ids.filter((id) => !GUID.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    const scopeId = /^scope_id="([0-9a-f-]+)"$/m.exec(createApiApp)?.[1];
    expect(scopeId).toMatch(GUID);
    expect(ids).not.toContain(scopeId);
  });

  it("can be given to people and to applications, and say what they allow", () => {
    for (const role of appRoles) {
      expect(role.allowedMemberTypes, role.value).toEqual(["User", "Application"]);
      expect(role.isEnabled, role.value).toBe(true);
      expect(role.displayName.trim(), role.value).not.toBe("");
      expect(role.description.length, role.value).toBeGreaterThan(20);
      // Graph refuses spaces in a role's value; a role claim is compared verbatim.
      expect(role.value, role.value).toMatch(/^[A-Za-z][A-Za-z0-9.]*$/);
    }
  });
});

describe("the API's app registration in azd", () => {
  it("is created or updated by the preprovision hook, which stops provisioning when it fails", () => {
    const hook = azureYaml.hooks?.preprovision?.posix;
    expect(hook?.run).toBe("bash ./infra/scripts/create-api-app.sh");
    expect(hook?.continueOnError).toBe(false);
  });

  it("comes from scripts that exist and can be run", () => {
    for (const script of ["infra/scripts/create-api-app.sh", "infra/scripts/assign-api-role.sh"]) {
      expect(() => accessSync(new URL(script, root), constants.X_OK), script).not.toThrow();
    }
  });

  it("uses the roles file, requires an assignment for a token, and hands the client id to Bicep", () => {
    expect(createApiApp).toContain('roles_file="${here}/../roles/api-app-roles.json"');
    expect(createApiApp).toMatch(/--app-roles "@\$\{roles_file\}"/);
    expect(createApiApp).toContain('--identifier-uris "api://${app_id}"');
    expect(createApiApp).toContain('"requestedAccessTokenVersion": 2');
    expect(createApiApp).toContain('{"appRoleAssignmentRequired": true}');
    expect(createApiApp).toContain('azd env set WISCAN_API_CLIENT_ID "$app_id"');
    expect(assignApiRole).toContain("/appRoleAssignedTo");
  });
});

describe("docs/permissions.md and docs/deploy.md on who may call the API", () => {
  const section = /^## Who may do what\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(permissionsDoc)?.[1] ?? "";

  it("name every app role in a 'Who may do what' section", () => {
    expect(section.length).toBeGreaterThan(0);
    expect(Object.values(APP_ROLES).filter((role) => !section.includes(`\`${role}\``))).toEqual([]);
  });

  it("say how to assign them and how the code knows the header is the platform's", () => {
    expect(section).toContain("infra/scripts/assign-api-role.sh");
    expect(section).toContain("WEBSITE_AUTH_ENABLED");
    expect(section).toContain("x-ms-client-principal");
    expect(section).toContain("WISCAN_DEV_PRINCIPAL");
  });

  it("describe the preprovision step and deploying without the right to create app registrations", () => {
    expect(deployDoc).toContain("infra/scripts/create-api-app.sh");
    expect(deployDoc).toContain("azd env set WISCAN_API_CLIENT_ID");
  });
});
