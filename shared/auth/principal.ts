/**
 * Who is calling, and may they. In Azure, App Service Authentication (Easy
 * Auth, Entra ID provider, set up by infra/modules/function-app.bicep) signs
 * the caller in before the request reaches the worker and hands over the
 * caller's claims in `x-ms-client-principal` (base64 JSON). External requests
 * cannot set that header: the platform strips and sets it
 * (learn.microsoft.com/azure/app-service/configure-authentication-user-identities).
 * Used by every HTTP route (functions/http, functions/scans).
 * The code trusts it only where the platform says authentication is on:
 * App Service sets WEBSITE_AUTH_ENABLED=True in the worker's environment when
 * it is (the same check Microsoft.Identity.Web makes,
 * AppServicesAuthenticationInformation.IsAppServicesAadAuthenticationEnabled).
 * Anywhere else the header is ignored, so a forged one proves nothing.
 *
 * Locally and in tests, WISCAN_DEV_PRINCIPAL names a development caller and
 * its roles; it is refused on App Service (WEBSITE_INSTANCE_ID is set there),
 * so it can never open a deployed app.
 */
import { z } from "zod";

/** What the principal is read from: an HTTP request's headers (Azure Functions' HttpRequest has them). */
export interface RequestWithHeaders {
  headers: { get(name: string): string | null };
}

/** The app roles the API's app registration defines (infra/scripts/create-api-app.sh); docs/permissions.md says who gets which. */
export const APP_ROLES = {
  /** Read findings, scans, suppressions and their history (a SIEM, an analyst, an on-call engineer). */
  readFindings: "Findings.Read",
  /** Start a scan of the configured scope or part of it. */
  startScans: "Scans.Start",
  /** Create and lift suppressions that name a cluster, namespace or resource. */
  writeSuppressions: "Suppressions.Write",
  /** Additionally: suppress a check fleet-wide (with the explicit fleetWide flag). */
  suppressFleetWide: "Suppressions.FleetWide",
  /** Resend stored digests. */
  sendDigests: "Digests.Send",
} as const;
export type AppRole = (typeof APP_ROLES)[keyof typeof APP_ROLES];
const KNOWN_ROLES: ReadonlySet<string> = new Set(Object.values(APP_ROLES));

export const CLIENT_PRINCIPAL_HEADER = "x-ms-client-principal";
export const CLIENT_PRINCIPAL_IDP_HEADER = "x-ms-client-principal-idp";
export const DEV_PRINCIPAL_SETTING = "WISCAN_DEV_PRINCIPAL";

/** A real principal is a few kB of claims; anything far larger is not from the platform. */
const MAX_PRINCIPAL_BYTES = 32 * 1024;
const OBJECT_ID_CLAIMS = ["http://schemas.microsoft.com/identity/claims/objectidentifier", "oid"];
const NAME_CLAIMS = ["preferred_username", "name", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", "appid", "azp"];

export interface Caller {
  /** Entra object id of the user or service principal. */
  id: string;
  /** What people read in history and audit entries: a user's sign-in name, or an app's id. */
  name: string;
  /** The caller's wiscan app roles (others are dropped). */
  roles: ReadonlySet<AppRole>;
  source: "platform" | "development";
}

/** No caller could be established: 401. */
export class AuthenticationError extends Error {
  override readonly name = "AuthenticationError";
  readonly status = 401;
}

/** The caller lacks the role a route needs: 403 naming it. */
export class AuthorizationError extends Error {
  override readonly name = "AuthorizationError";
  readonly status = 403;
  constructor(readonly role: AppRole) {
    super(`this needs the app role ${role}`);
  }
}

const claimsPrincipal = z.object({
  auth_typ: z.string().max(200).optional(),
  name_typ: z.string().max(500).optional(),
  role_typ: z.string().max(500).optional(),
  claims: z.array(z.object({ typ: z.string().max(500), val: z.string().max(4000) })).max(500),
});

const devPrincipal = z.object({
  id: z.string().min(1).max(200).optional(),
  name: z.string().min(1).max(200),
  roles: z.array(z.string().max(100)).max(20),
});

type Environment = Readonly<Record<string, string | undefined>>;

/** Whether App Service Authentication fronts this worker: only then does the platform set, and strip, the principal headers. */
export function platformAuthenticationOn(env: Environment = process.env): boolean {
  return (env["WEBSITE_AUTH_ENABLED"] ?? "").toLowerCase() === "true";
}

/** The caller of a request, or undefined when none can be established (see the module comment). */
export function callerOf(request: RequestWithHeaders, env: Environment = process.env): Caller | undefined {
  if (platformAuthenticationOn(env)) return platformCaller(request);
  return developmentCaller(env);
}

/**
 * The caller, who must hold `role`. Throws AuthenticationError (401) or
 * AuthorizationError (403); respond() turns them into answers.
 *
 * @example
 * const caller = requireRole(request, APP_ROLES.writeSuppressions);
 */
export function requireRole(request: RequestWithHeaders, role: AppRole, env: Environment = process.env): Caller {
  const caller = callerOf(request, env);
  if (caller === undefined) throw new AuthenticationError("sign in with Entra ID: this API accepts only authenticated callers");
  if (!caller.roles.has(role)) throw new AuthorizationError(role);
  return caller;
}

function platformCaller(request: RequestWithHeaders): Caller | undefined {
  const header = request.headers.get(CLIENT_PRINCIPAL_HEADER);
  if (header === null || header.length === 0 || header.length > (MAX_PRINCIPAL_BYTES * 4) / 3 + 4) return undefined;
  const idp = request.headers.get(CLIENT_PRINCIPAL_IDP_HEADER);
  if (idp !== null && idp.toLowerCase() !== "aad") return undefined;
  let parsed: z.infer<typeof claimsPrincipal>;
  try {
    parsed = claimsPrincipal.parse(JSON.parse(Buffer.from(header, "base64").toString("utf8")));
  } catch {
    return undefined;
  }
  const values = (types: readonly string[]) => parsed.claims.filter((c) => types.includes(c.typ)).map((c) => c.val);
  const id = values(OBJECT_ID_CLAIMS)[0];
  if (id === undefined) return undefined;
  const roleTypes = ["roles", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", ...(parsed.role_typ ? [parsed.role_typ] : [])];
  const nameTypes = [...(parsed.name_typ ? [parsed.name_typ] : []), ...NAME_CLAIMS];
  return { id, name: values(nameTypes)[0] ?? id, roles: knownRoles(values(roleTypes)), source: "platform" };
}

function developmentCaller(env: Environment): Caller | undefined {
  const raw = env[DEV_PRINCIPAL_SETTING];
  // On App Service a development principal would be a back door: refused there whatever it says.
  if (raw === undefined || raw.trim() === "" || env["WEBSITE_INSTANCE_ID"] !== undefined) return undefined;
  const parsed = parseDevelopmentPrincipal(raw);
  return { id: parsed.id ?? `dev:${parsed.name}`, name: parsed.name, roles: knownRoles(parsed.roles), source: "development" };
}

/** WISCAN_DEV_PRINCIPAL: JSON `{"name": "...", "roles": ["Findings.Read", ...]}`. Throws with the reason when malformed. */
export function parseDevelopmentPrincipal(raw: string): z.infer<typeof devPrincipal> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error(`${DEV_PRINCIPAL_SETTING} must be JSON like {"name": "you@example.com", "roles": ["Findings.Read"]}`);
  }
  const parsed = devPrincipal.safeParse(value);
  if (!parsed.success) throw new Error(`${DEV_PRINCIPAL_SETTING}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "value"} ${i.message}`).join("; ")}`);
  const unknown = parsed.data.roles.filter((r) => !KNOWN_ROLES.has(r));
  if (unknown.length > 0) throw new Error(`${DEV_PRINCIPAL_SETTING}: unknown role(s) ${unknown.join(", ")} (known: ${[...KNOWN_ROLES].join(", ")})`);
  return parsed.data;
}

function knownRoles(values: readonly string[]): ReadonlySet<AppRole> {
  return new Set(values.filter((v): v is AppRole => KNOWN_ROLES.has(v)));
}
