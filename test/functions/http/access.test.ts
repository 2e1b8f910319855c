/**
 * Who may call what: every route of the API, as registered (the role check
 * first), with no caller, a caller without the route's role, with it, and
 * with a forged principal header where the platform did not set it.
 */
import azfn from "@azure/functions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FINDING_ROUTES } from "../../../functions/http/findings.js";
import { SCAN_ROUTES } from "../../../functions/http/scans.js";
import { SUPPRESSION_AUDIT_ROUTES } from "../../../functions/http/suppression-audit.js";
import { apiHandler, type ApiRoute } from "../../../functions/http/routes.js";
import { useFindingsStore } from "../../../functions/http/store-instance.js";
import { APP_ROLES, CLIENT_PRINCIPAL_HEADER, type AppRole } from "../../../shared/auth/index.js";
import { summaryLine } from "../../reliability/summary.js";
import { testStore } from "../../store/fixtures.js";

const { HttpRequest, InvocationContext } = azfn;

const ROUTES: readonly ApiRoute[] = [...FINDING_ROUTES, ...SCAN_ROUTES, ...SUPPRESSION_AUDIT_ROUTES];
const ALL_ROLES = Object.values(APP_ROLES);
const SAVED = { ...process.env };

/** The claims App Service Authentication hands over, base64 JSON as the platform writes it. */
function clientPrincipal(roles: readonly string[], name = "alice@contoso.com"): string {
  const claims = [
    { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: "00000000-0000-0000-0000-00000000a11c" },
    { typ: "preferred_username", val: name },
    ...roles.map((val) => ({ typ: "roles", val })),
  ];
  return Buffer.from(JSON.stringify({ auth_typ: "aad", name_typ: "preferred_username", role_typ: "roles", claims })).toString("base64");
}

async function callRoute(route: ApiRoute, headers: Record<string, string> = {}): Promise<number> {
  const path = route.route.replace("{id}", "some-id");
  const request = new HttpRequest({ method: route.methods[0]!, url: `http://localhost/api/${path}`, params: { id: "some-id" }, headers });
  const context = new InvocationContext({ functionName: route.name, logHandler: () => undefined });
  const response = await apiHandler(route)(request, context);
  return (response as azfn.HttpResponseInit).status ?? 200;
}

function environment(values: Record<string, string>): void {
  for (const key of ["WEBSITE_AUTH_ENABLED", "WEBSITE_INSTANCE_ID", "WISCAN_DEV_PRINCIPAL"]) delete process.env[key];
  Object.assign(process.env, values);
}

beforeAll(async () => {
  const { store } = await testStore("access");
  useFindingsStore(store);
});
afterAll(() => useFindingsStore(undefined));
afterEach(() => {
  process.env = { ...SAVED };
});

describe("every API route behind App Service Authentication", () => {
  const counts = { routes: ROUTES.length, calls: 0, refusedUnsigned: 0, refusedWrongRole: 0, refusedForged: 0, admitted: 0 };

  for (const route of ROUTES) {
    it(`${route.methods.join(",")} /api/${route.route} needs ${route.role}`, async () => {
      environment({ WEBSITE_AUTH_ENABLED: "True", WEBSITE_INSTANCE_ID: "abc123" });
      const others = ALL_ROLES.filter((r: AppRole) => r !== route.role);

      const unsigned = await callRoute(route);
      const wrongRole = await callRoute(route, { [CLIENT_PRINCIPAL_HEADER]: clientPrincipal(others), "x-ms-client-principal-idp": "aad" });
      const garbled = await callRoute(route, { [CLIENT_PRINCIPAL_HEADER]: "not base64 json" });
      const admitted = await callRoute(route, { [CLIENT_PRINCIPAL_HEADER]: clientPrincipal([route.role]), "x-ms-client-principal-idp": "aad" });
      expect([unsigned, wrongRole, garbled]).toEqual([401, 403, 401]);
      expect([401, 403]).not.toContain(admitted);

      // Where the platform does not sign callers in, a principal header is whatever the client wrote: ignored.
      environment({});
      const forged = await callRoute(route, { [CLIENT_PRINCIPAL_HEADER]: clientPrincipal(ALL_ROLES, "ciso@contoso.com") });
      expect(forged).toBe(401);

      counts.calls += 5;
      counts.refusedUnsigned += unsigned === 401 ? 1 : 0;
      counts.refusedWrongRole += wrongRole === 403 ? 1 : 0;
      counts.refusedForged += forged === 401 ? 1 : 0;
      counts.admitted += 1;
    });
  }

  it("takes a development principal locally, never on App Service, and never over the platform's", async () => {
    const route = ROUTES[0]!;
    const dev = JSON.stringify({ name: "dev@example.com", roles: [route.role] });
    environment({ WISCAN_DEV_PRINCIPAL: dev });
    expect(await callRoute(route)).not.toBe(401);
    environment({ WISCAN_DEV_PRINCIPAL: dev, WEBSITE_INSTANCE_ID: "abc123" });
    expect(await callRoute(route)).toBe(401);
    environment({ WISCAN_DEV_PRINCIPAL: dev, WEBSITE_AUTH_ENABLED: "True", WEBSITE_INSTANCE_ID: "abc123" });
    expect(await callRoute(route)).toBe(401);
  });

  afterAll(() => {
    summaryLine(
      "access",
      `${counts.calls} calls to ${counts.routes} routes (no caller, another role, a garbled principal, the route's role, a forged header without platform authentication)`,
      `${counts.routes - counts.refusedUnsigned} unsigned, ${counts.routes - counts.refusedWrongRole} wrong-role and ${counts.routes - counts.refusedForged} forged calls through`,
      "leaked",
    );
  });
});
