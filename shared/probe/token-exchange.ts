/**
 * The exchange a workload's Azure SDK makes: a service account token as a
 * client assertion, for an access token of the identity named by client_id
 * (OAuth 2.0 client credentials with a jwt-bearer assertion, at the tenant's
 * v2.0 token endpoint). Only the verdict comes back: the access token is read
 * to know it is there, and dropped.
 */
import { request } from "node:https";
import { scrub } from "../cluster/index.js";
import { proxyFor } from "../cluster/proxy.js";
import { HttpsProxyAgent } from "https-proxy-agent";

export const JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/** The scope the probe asks for: ARM, which every identity may request a token for. */
export const PROBE_SCOPE = "https://management.azure.com/.default";
export const PUBLIC_AUTHORITY_HOST = "https://login.microsoftonline.com";

export interface TokenExchangeRequest {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  /** The service account token. Kept in this call's memory only. */
  assertion: string;
  /** The access token asked for; default PROBE_SCOPE (the public cloud's ARM). */
  scope?: string;
  /** PEM of a CA to trust instead of the public ones (the fleet simulator's). */
  tlsCa?: string;
  timeoutMs: number;
}

export type TokenExchangeVerdict =
  | { outcome: "ok" }
  | { outcome: "failed"; aadstsCode?: string; message: string }
  | { outcome: "error"; message: string };

export async function exchangeServiceAccountToken(exchange: TokenExchangeRequest): Promise<TokenExchangeVerdict> {
  const url = `${exchange.authorityHost.replace(/\/+$/, "")}/${encodeURIComponent(exchange.tenantId)}/oauth2/v2.0/token`;
  const form = new URLSearchParams({
    grant_type: "client_credentials",
    client_id: exchange.clientId,
    client_assertion_type: JWT_BEARER_ASSERTION,
    client_assertion: exchange.assertion,
    scope: exchange.scope ?? PROBE_SCOPE,
  }).toString();
  let response: { status: number; text: string };
  try {
    response = await post(url, form, exchange);
  } catch (error) {
    // Transport errors carry no request body; scrub anyway, they are shown to people.
    return { outcome: "error", message: scrub(`the token endpoint could not be reached: ${(error as Error).message ?? String(error)}`) };
  }
  let body: { access_token?: unknown; error?: unknown; error_description?: unknown; error_codes?: unknown } | undefined;
  try {
    body = JSON.parse(response.text) as typeof body;
  } catch {
    body = undefined;
  }
  if (response.status === 200 && typeof body?.access_token === "string" && body.access_token !== "") return { outcome: "ok" };
  if (body === undefined || (body.error === undefined && body.error_description === undefined)) {
    return { outcome: "error", message: `the token endpoint answered HTTP ${response.status} without an OAuth error` };
  }
  const description = typeof body.error_description === "string" ? body.error_description : "";
  const codes = Array.isArray(body.error_codes) ? body.error_codes.filter((c): c is number => typeof c === "number") : [];
  const code = codes[0] !== undefined ? `AADSTS${codes[0]}` : /AADSTS\d+/.exec(description)?.[0];
  return { outcome: "failed", ...(code !== undefined && { aadstsCode: code }), message: scrub(firstLine(description) || String(body.error)) };
}

/** Entra appends trace and correlation ids on further lines: they identify a request, not the problem. */
function firstLine(description: string): string {
  return description.split(/\r?\n/)[0]?.trim() ?? "";
}

function post(url: string, form: string, exchange: TokenExchangeRequest): Promise<{ status: number; text: string }> {
  // Behind a corporate proxy, as the Azure SDK reaches Entra: HTTPS_PROXY unless NO_PROXY names the authority (cluster/proxy.ts).
  // The CA below still verifies the token endpoint inside the CONNECT tunnel: request options reach the tunnel's TLS.
  const proxy = proxyFor(new URL(url));
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(form), accept: "application/json" },
        ...(exchange.tlsCa !== undefined && { ca: exchange.tlsCa }),
        ...(proxy !== undefined && { agent: new HttpsProxyAgent(proxy.href) }),
        timeout: exchange.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("the request timed out")));
    req.on("error", reject);
    req.end(form);
  });
}
