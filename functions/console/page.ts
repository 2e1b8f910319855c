/**
 * What every console handler shares: rendering a page, reading the query and
 * form fields, and the one error mapping. Errors go through the API's
 * respond() (functions/http/respond.ts), so a page and the API answer the
 * same failure with the same status and reason; this only turns the JSON
 * error into an error page and adds the page headers (CSP, no-store).
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { callerOf, type Caller } from "../../shared/auth/index.js";
import { InvalidParameterError, type ParameterSource } from "../../shared/store/index.js";
import { pageChrome } from "../../shared/console/chrome.js";
import { CONSOLE_PREFIX, signInPath } from "../../shared/console/paths.js";
import { CsrfError, PAGE_HEADERS } from "../../shared/console/security.js";
import { ERROR_PAGE } from "../../shared/console/templates.js";
import { renderer } from "../../shared/views/index.js";
import { queryParameters, respond } from "../http/respond.js";

/** A rendered page. */
export function html(body: string, status = 200): HttpResponseInit {
  return { status, headers: { ...PAGE_HEADERS }, body };
}

export function render<V>(template: string, view: V, status = 200): HttpResponseInit {
  return html(renderer("page").render(template, view), status);
}

/** Post/redirect/get: after a form, the browser loads the page that shows the result. */
export function seeOther(location: string): HttpResponseInit {
  return { status: 303, headers: { ...PAGE_HEADERS, location } };
}

/** Runs a page handler; any error becomes an error page with the API's status and reason. */
export async function respondPage(request: HttpRequest, context: InvocationContext, work: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  const response = await respond(context, async () => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof CsrfError) return { status: 403, jsonBody: { error: { code: "csrf", message: error.message } } };
      throw error;
    }
  });
  return asPage(request, response);
}

interface ApiError {
  code?: string;
  message?: string;
  problems?: string[];
}

const HEADINGS: Record<number, string> = {
  400: "Bad request",
  401: "Sign in needed",
  403: "Not allowed",
  404: "Not found",
  409: "Not done",
  429: "Too many requests",
  502: "Not sent",
  503: "Not configured",
};

/** An API answer as a page: error bodies become error pages; everything gets the page headers. */
export function asPage(request: HttpRequest, response: HttpResponseInit): HttpResponseInit {
  const error = (response.jsonBody as { error?: ApiError } | undefined)?.error;
  if (error === undefined) return { ...response, headers: { ...(response.headers as Record<string, string> | undefined), ...PAGE_HEADERS } };
  const status = response.status ?? 500;
  const kept = pick(response.headers as Record<string, string> | undefined, ["retry-after", "Retry-After", "WWW-Authenticate"]);
  const view = {
    page: pageChrome(HEADINGS[status] ?? "Something failed", undefined, safeCaller(request)),
    heading: HEADINGS[status] ?? "Something failed",
    message: String(error.message ?? "The request failed."),
    problems: Array.isArray(error.problems) ? error.problems.map(String) : [],
    signIn: status === 401 ? signInPath(new URL(request.url).pathname) : undefined,
    home: CONSOLE_PREFIX,
  };
  return { status, headers: { ...kept, ...PAGE_HEADERS }, body: renderer("page").render(ERROR_PAGE, view) };
}

function safeCaller(request: HttpRequest): Caller | undefined {
  try {
    return callerOf(request);
  } catch {
    return undefined;
  }
}

function pick(headers: Record<string, string> | undefined, names: readonly string[]): Record<string, string> {
  if (headers === undefined) return {};
  return Object.fromEntries(Object.entries(headers).filter(([k]) => names.includes(k)));
}

/**
 * The query as a page's form sends it: known parameters only, none repeated,
 * and an empty field the same as an absent one (a GET form sends every field).
 */
export function pageParameters(request: HttpRequest, allowed: readonly string[]): { get: ParameterSource; given: Record<string, string> } {
  const raw = queryParameters(request, allowed);
  const given: Record<string, string> = {};
  for (const name of allowed) {
    const value = raw(name);
    if (value !== undefined && value !== "") given[name] = value;
  }
  return { get: (name) => given[name], given };
}

/** Forms are a few fields and a reason; 16 KiB bounds what a caller can make us parse. */
export const MAX_FORM_BYTES = 16 * 1024;

/** The fields of a posted form (application/x-www-form-urlencoded); a repeated field is refused. */
export async function readForm(request: HttpRequest): Promise<(name: string) => string | undefined> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") throw new InvalidParameterError("body", "must be a form (application/x-www-form-urlencoded)");
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_FORM_BYTES) throw new InvalidParameterError("body", `is larger than ${MAX_FORM_BYTES} bytes`);
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_FORM_BYTES) throw new InvalidParameterError("body", `is larger than ${MAX_FORM_BYTES} bytes`);
  const fields = new URLSearchParams(text);
  for (const name of new Set(fields.keys())) {
    if (fields.getAll(name).length > 1) throw new InvalidParameterError(name, "is given more than once");
  }
  return (name) => fields.get(name) ?? undefined;
}
