/**
 * What keeps the console's pages and forms safe (docs/console.md, "Security").
 *
 * Headers: a strict Content-Security-Policy (our own script and stylesheet
 * only, no inline anything, no framing, forms post only to us), no caching of
 * authenticated pages, no MIME sniffing, no referrer to other sites.
 *
 * CSRF: App Service Authentication keeps the session in a cookie
 * (AppServiceAuthSession), which a browser sends with a form another site
 * posts to us. Every POST therefore carries a token bound to the signed-in
 * caller: HMAC-SHA256 over the caller's object id and the time it was issued,
 * under the key kept in the findings storage account (./csrf-key.ts), valid
 * for CSRF_TOKEN_HOURS. Another site can
 * neither read it (same-origin policy, no CORS) nor make it (no key). The
 * browser's own signals are checked too: Sec-Fetch-Site must be same-origin
 * when sent, and Origin must be this host when sent.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Caller } from "../auth/index.js";

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Headers of every console page, error pages included. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": CONTENT_SECURITY_POLICY,
  // A page shows what one caller may see: never kept by a browser or a proxy.
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  // Not no-referrer: under it a browser sends "Origin: null" with the page's own form posts
  // (Fetch Standard, "append a request Origin header"), which checkSameOrigin must refuse.
  // same-origin sends nothing to other sites and our own origin to us.
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

export const CSRF_FIELD = "csrf";
/** A form stays valid for a working day; a stale one asks to reload the page. */
export const CSRF_TOKEN_HOURS = 12;

/** The form was not posted by one of our pages, for this caller, recently: 403 with the reason. */
export class CsrfError extends Error {
  override readonly name = "CsrfError";
}

function mac(key: Buffer, callerId: string, issued: string): string {
  return createHmac("sha256", key).update(`wiscan-console|${callerId}|${issued}`).digest("base64url");
}

/** A token for the forms of a page shown to this caller. */
export function issueCsrfToken(caller: Pick<Caller, "id">, now: Date, key: Buffer): string {
  const issued = Math.floor(now.getTime() / 1000).toString(36);
  return `${issued}.${mac(key, caller.id, issued)}`;
}

/** Throws CsrfError unless the token was issued to this caller by us within CSRF_TOKEN_HOURS. */
export function verifyCsrfToken(token: string | undefined, caller: Pick<Caller, "id">, now: Date, key: Buffer): void {
  if (token === undefined || token.length === 0 || token.length > 200) throw new CsrfError("the form carries no security token: reload the page and submit it again");
  const [issued, given] = token.split(".");
  const issuedMs = Number.parseInt(issued ?? "", 36) * 1000;
  if (given === undefined || !Number.isFinite(issuedMs)) throw new CsrfError("the form's security token is malformed: reload the page and submit it again");
  const expected = Buffer.from(mac(key, caller.id, issued!));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new CsrfError("the form's security token was not issued to you by this console: reload the page and submit it again");
  }
  const age = now.getTime() - issuedMs;
  if (age < -5 * 60_000 || age > CSRF_TOKEN_HOURS * 3_600_000) throw new CsrfError(`the form is older than ${CSRF_TOKEN_HOURS} hours: reload the page and submit it again`);
}

/** What a browser says about where a POST comes from. */
export interface RequestOrigin {
  url: string;
  headers: { get(name: string): string | null };
}

/** Throws CsrfError when the browser says the request comes from another site. */
export function checkSameOrigin(request: RequestOrigin): void {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") throw new CsrfError(`a form posted from another site (Sec-Fetch-Site: ${site.slice(0, 20)}) is refused`);
  const origin = request.headers.get("origin");
  if (origin === null) return;
  const own = new URL(request.url);
  let given: URL | undefined;
  try {
    given = new URL(origin);
  } catch {
    given = undefined;
  }
  if (given === undefined || given.host !== own.host) throw new CsrfError("a form posted from another origin is refused");
}
