/**
 * The Entra ID token endpoint (v2.0): OpenID discovery, client-credential
 * tokens with a client secret (the scanner) and the workload-identity
 * exchange, a jwt-bearer client assertion (a Kubernetes service account
 * token) checked against the federated identity credentials of the managed
 * identity or app registration named by client_id. Errors carry the real
 * AADSTS codes, in Entra's error shape.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { sendJson } from "../http.js";
import type { ArmObject, GraphApplication, GraphServicePrincipal } from "../fleet/model.js";
import type { AzureContext } from "./context.js";

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const ACCESS_TOKEN_LIFETIME_SECONDS = 3599;

/** The scanner's own app registration in the simulated tenant: client-credential tokens are issued to it. */
export interface ScannerPrincipal {
  clientId: string;
  clientSecret: string;
  objectId: string;
}

export function handleTokenEndpoint(ctx: AzureContext, scanner: ScannerPrincipal, method: string, url: URL, body: string, res: ServerResponse): void {
  const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/i.exec(url.pathname);
  if (method === "GET" && discovery) {
    sendJson(res, 200, openIdConfiguration(ctx.endpoint, discovery[1] ?? ""));
    return;
  }
  const keys = /^\/([^/]+)\/discovery\/v2\.0\/keys$/i.exec(url.pathname);
  if (method === "GET" && keys) {
    sendJson(res, 200, ctx.signer.jwks());
    return;
  }
  if (method === "GET" && /^\/common\/discovery\/instance$/i.test(url.pathname)) {
    const host = new URL(ctx.endpoint).host;
    sendJson(res, 200, {
      tenant_discovery_endpoint: `${ctx.endpoint}/${ctx.fleet.azure.tenantId}/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
    return;
  }
  const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/i.exec(url.pathname);
  if (method !== "POST" || !token) {
    sendJson(res, 404, { error: "not_found", error_description: `The fleet simulator serves no Entra route for '${method} ${url.pathname}'.` });
    return;
  }
  const tenant = token[1] ?? "";
  const form = new URLSearchParams(body);
  const fail = (status: number, error: string, code: number, description: string) => sendTokenError(res, status, error, code, description);
  const home = ctx.fleet.azure.tenantId;
  const guest = (ctx.fleet.azure.scannerGuestTenants ?? []).find((t) => t.toLowerCase() === tenant.toLowerCase());
  // Tokens carry the tenant asked for: the home tenant, or one where the scanner's multi-tenant app is consented.
  const tenantId = guest ?? home;

  if (guest === undefined && tenant.toLowerCase() !== home.toLowerCase()) {
    fail(400, "invalid_request", 90002, `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    return;
  }
  if (form.get("grant_type") !== "client_credentials") {
    fail(400, "unsupported_grant_type", 70003, `AADSTS70003: The app requested an unsupported grant type '${form.get("grant_type") ?? ""}'.`);
    return;
  }
  const clientId = form.get("client_id") ?? "";
  const resource = resourceOfScope(form.get("scope") ?? "");
  if (resource === undefined) {
    fail(
      400,
      "invalid_scope",
      70011,
      `AADSTS70011: The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope ${form.get("scope") ?? ""} is not valid. The scope format is invalid. Scope must be in a valid URI form <https://example/scope> or a valid Guid <guid/scope>.`,
    );
    return;
  }

  const clientAssertion = form.get("client_assertion");
  if (clientAssertion !== null && guest !== undefined) {
    // Workload identities and their credentials live in the home tenant: a guest tenant has none of them.
    fail(400, "unauthorized_client", 700016, applicationNotFound(form.get("client_id") ?? "", tenantId));
    return;
  }
  if (clientAssertion !== null) {
    if (form.get("client_assertion_type") !== JWT_BEARER) {
      fail(400, "invalid_request", 90002, `AADSTS50027: Invalid client_assertion_type '${form.get("client_assertion_type") ?? ""}'; expected '${JWT_BEARER}'.`);
      return;
    }
    exchangeFederatedAssertion(ctx, res, tenantId, clientId, resource, clientAssertion);
    return;
  }

  if (clientId.toLowerCase() !== scanner.clientId.toLowerCase() && findFederatedPrincipal(ctx, clientId) === undefined) {
    fail(400, "unauthorized_client", 700016, applicationNotFound(clientId, tenantId));
    return;
  }
  if (clientId.toLowerCase() !== scanner.clientId.toLowerCase() || form.get("client_secret") !== scanner.clientSecret) {
    fail(401, "invalid_client", 7000215, "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" + clientId + "'.");
    return;
  }
  issueAccessToken(ctx, res, tenantId, resource, { appid: scanner.clientId, oid: scanner.objectId });
}

interface FederatedPrincipal {
  kind: "managedIdentity" | "application";
  objectId: string;
  credentials: Array<{ issuer: string; subject: string; audiences: string[] }>;
}

function findFederatedPrincipal(ctx: AzureContext, clientId: string): FederatedPrincipal | undefined {
  const { azure } = ctx.fleet;
  const wanted = clientId.toLowerCase();
  const identity = azure.userAssignedIdentities.find((i) => String(i.properties?.clientId ?? "").toLowerCase() === wanted);
  if (identity) {
    const fics = azure.federatedIdentityCredentials[identity.id] ?? [];
    return { kind: "managedIdentity", objectId: String(identity.properties?.principalId ?? ""), credentials: fics.map(armFic) };
  }
  const sp = azure.servicePrincipals.find((s) => s.appId.toLowerCase() === wanted);
  const app = azure.applications.find((a) => a.appId.toLowerCase() === wanted) ?? foreignMultiTenantApp(ctx, sp);
  if (app) return { kind: "application", objectId: sp?.id ?? app.id, credentials: exactCredentials(app) };
  return undefined;
}

/**
 * A multi-tenant app registered in another tenant and provisioned here (its
 * service principal is in this tenant): Entra evaluates the federated
 * credentials of the app in its home tenant (model.ts, foreignApplications).
 * A single-tenant app of another tenant is unknown here (AADSTS700016).
 */
function foreignMultiTenantApp(ctx: AzureContext, sp: GraphServicePrincipal | undefined): GraphApplication | undefined {
  if (sp === undefined) return undefined;
  const app = (ctx.fleet.azure.foreignApplications ?? []).find((a) => a.appId.toLowerCase() === sp.appId.toLowerCase());
  return app !== undefined && MULTI_TENANT_AUDIENCES.has(app.signInAudience ?? "AzureADMyOrg") ? app : undefined;
}

/** signInAudience values that let an app sign in outside its home tenant (Graph application resource, signInAudience). */
const MULTI_TENANT_AUDIENCES: ReadonlySet<string> = new Set(["AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount"]);

/**
 * A flexible credential (subject null, claimsMatchingExpression) admits no Kubernetes token: Entra matches
 * expressions only for GitHub, GitLab and Terraform Cloud issuers (learn.microsoft.com, "Flexible federated
 * identity credentials", Current limitations). Only exact credentials take part.
 */
function exactCredentials(app: GraphApplication): FederatedPrincipal["credentials"] {
  return (app.federatedIdentityCredentials ?? []).flatMap((f) => (typeof f.subject === "string" ? [{ issuer: f.issuer, subject: f.subject, audiences: f.audiences }] : []));
}

function armFic(fic: ArmObject): { issuer: string; subject: string; audiences: string[] } {
  const p = fic.properties ?? {};
  return { issuer: String(p.issuer ?? ""), subject: String(p.subject ?? ""), audiences: Array.isArray(p.audiences) ? p.audiences.map(String) : [] };
}

/**
 * Matching is exact and case-sensitive on issuer and subject. When nothing
 * matches, the nearest credential says which field is off, as Entra's codes
 * do: subject right but issuer not (a missing trailing slash, a re-created
 * cluster) is AADSTS700211; issuer right but subject not is AADSTS700213;
 * both right but audience not is AADSTS700212; no credential sharing the
 * issuer or the subject is AADSTS70021. The audience is compared exactly in
 * every cloud: the clouds' token-exchange audiences (api://AzureADTokenExchange,
 * ...USGov, ...China) are no aliases of one another (Entra in Azure China
 * refused api://AzureADTokenExchange for a credential listing ...China with
 * AADSTS700212: hashicorp/terraform-provider-azuread#1755).
 */
function exchangeFederatedAssertion(ctx: AzureContext, res: ServerResponse, tenantId: string, clientId: string, resource: string, assertion: string): void {
  const fail = (status: number, error: string, code: number, description: string) => sendTokenError(res, status, error, code, description);
  const principal = findFederatedPrincipal(ctx, clientId);
  if (!principal) {
    fail(400, "unauthorized_client", 700016, applicationNotFound(clientId, tenantId));
    return;
  }
  const claims = decodeJwtPayload(assertion);
  if (!claims) {
    fail(400, "invalid_client", 50027, "AADSTS50027: JWT token is invalid or malformed.");
    return;
  }
  const now = Math.floor(Date.now() / 1000);
  if ((typeof claims.exp === "number" && claims.exp < now - 300) || (typeof claims.nbf === "number" && claims.nbf > now + 300)) {
    fail(400, "invalid_client", 700024, `AADSTS700024: Client assertion is not within its valid time range. Current time: ${new Date().toISOString()}, assertion valid from ${isoTime(claims.nbf ?? claims.iat)}, expiry time of assertion ${isoTime(claims.exp)}.`);
    return;
  }
  if (!ctx.signer.verify(assertion)) {
    fail(400, "invalid_client", 700027, "AADSTS700027: Client assertion failed signature validation.");
    return;
  }
  const issuer = String(claims.iss ?? "");
  const subject = String(claims.sub ?? "");
  const audiences = Array.isArray(claims.aud) ? claims.aud.map(String) : [String(claims.aud ?? "")];
  const matches = (c: { issuer: string; subject: string; audiences: string[] }) => c.audiences.some((a) => audiences.includes(a));
  const full = principal.credentials.find((c) => c.issuer === issuer && c.subject === subject && matches(c));
  if (full) {
    issueAccessToken(ctx, res, tenantId, resource, { appid: clientId, oid: principal.objectId });
    return;
  }
  const presented = `Assertion Issuer: '${issuer}'. Assertion Subject: '${subject}'. Assertion Audience: '${audiences.join(",")}'.`;
  const hint = "Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
  if (principal.credentials.some((c) => c.issuer === issuer && c.subject === subject)) {
    fail(400, "invalid_client", 700212, `AADSTS700212: No matching federated identity record found for presented assertion audience '${audiences.join(",")}'. ${hint}`);
  } else if (principal.credentials.some((c) => c.subject === subject)) {
    fail(400, "invalid_client", 700211, `AADSTS700211: No matching federated identity record found for presented assertion issuer '${issuer}'. ${hint}`);
  } else if (principal.credentials.some((c) => c.issuer === issuer)) {
    fail(400, "invalid_client", 700213, `AADSTS700213: No matching federated identity record found for presented assertion subject '${subject}'. ${hint}`);
  } else {
    fail(400, "invalid_request", 70021, `AADSTS70021: No matching federated identity record found for presented assertion. ${presented} https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation`);
  }
}

function issueAccessToken(ctx: AzureContext, res: ServerResponse, tenantId: string, resource: string, who: { appid: string; oid: string }): void {
  const now = Math.floor(Date.now() / 1000);
  const accessToken = ctx.signer.sign({
    aud: resource,
    iss: `https://sts.windows.net/${tenantId}/`,
    iat: now,
    nbf: now,
    exp: now + ACCESS_TOKEN_LIFETIME_SECONDS,
    tid: tenantId,
    appid: who.appid,
    azp: who.appid,
    oid: who.oid,
    sub: who.oid,
    idtyp: "app",
    ver: "1.0",
  });
  sendJson(res, 200, { token_type: "Bearer", expires_in: ACCESS_TOKEN_LIFETIME_SECONDS, ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS, access_token: accessToken });
}

/**
 * The resource of a client-credential scope: exactly one "<resource>/.default"
 * (OIDC scopes aside). The access token's audience is that resource.
 */
export function resourceOfScope(scope: string): string | undefined {
  const scopes = scope.split(/\s+/).filter((s) => s !== "" && !["openid", "profile", "offline_access"].includes(s));
  if (scopes.length !== 1) return undefined;
  const match = /^(.+)\/\.default$/.exec(scopes[0] ?? "");
  if (!match) return undefined;
  const resource = match[1] ?? "";
  const isGuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(resource);
  const isUri = /^(https?|api):\/\/[^\s/]+/.test(resource);
  return isGuid || isUri ? resource.replace(/\/$/, "") : undefined;
}

function applicationNotFound(clientId: string, tenantId: string): string {
  return `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`;
}

/** Entra's OAuth error shape, with the code both in the description and in error_codes. */
function sendTokenError(res: ServerResponse, status: number, error: string, code: number, description: string): void {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
  sendJson(res, status, {
    error,
    error_description: `${description}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}

function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf8")) as unknown;
    return typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isoTime(seconds: unknown): string {
  return typeof seconds === "number" ? new Date(seconds * 1000).toISOString() : "unknown";
}

function openIdConfiguration(base: string, tenant: string): Record<string, unknown> {
  return {
    token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${base}/${tenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
    authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
    claims_supported: ["sub", "iss", "aud", "exp", "iat", "nonce", "tid", "ver"],
    kerberos_endpoint: `${base}/${tenant}/kerberos`,
    tenant_region_scope: "EU",
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
    rbac_url: "https://pas.windows.net",
  };
}
