/**
 * What every query function shares: reading parameters (a repeated one is
 * refused), and turning errors into responses. Bad input is always a 400 that
 * names the parameter; a 5xx only ever means the service side failed.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { AuthenticationError, AuthorizationError } from "../../shared/auth/index.js";
import { ConfigError } from "../../shared/config/index.js";
import { RateLimitedError } from "../../shared/ratelimit/index.js";
import { InvalidParameterError, StoreNotConfiguredError, type ParameterSource } from "../../shared/store/index.js";

/** Set by the Functions host for function keys; never a filter. */
const HOST_PARAMETERS = ["code"];

export function queryParameters(request: HttpRequest, allowed: readonly string[]): ParameterSource {
  const known = [...allowed, ...HOST_PARAMETERS];
  for (const name of new Set(request.query.keys())) {
    if (!known.includes(name)) throw new InvalidParameterError(name, `is not a known parameter (known: ${allowed.join(", ")})`);
    if (request.query.getAll(name).length > 1) throw new InvalidParameterError(name, "is given more than once");
  }
  return (name) => request.query.get(name) ?? undefined;
}

export function routeParameter(request: HttpRequest, name: string): string {
  const value = request.params[name];
  if (value === undefined || value.length === 0 || value.length > 1024) throw new InvalidParameterError(name, "is missing or too long");
  return value;
}

export function notFound(what: string): HttpResponseInit {
  return { status: 404, jsonBody: { error: { code: "not-found", message: `${what} was not found` } } };
}

/** Runs a handler body, mapping known errors to responses and logging the unknown ones. */
export async function respond(context: InvocationContext, work: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AuthenticationError) {
      return { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="wiscan"' }, jsonBody: { error: { code: "unauthenticated", message: error.message } } };
    }
    if (error instanceof AuthorizationError) {
      return { status: 403, jsonBody: { error: { code: "forbidden", role: error.role, message: error.message } } };
    }
    if (error instanceof InvalidParameterError) {
      // InvalidFieldsError (./body.ts) adds every problem of a body at once.
      const problems = (error as { problems?: unknown }).problems;
      return { status: 400, jsonBody: { error: { code: error.code, parameter: error.parameter, message: error.message, ...(Array.isArray(problems) && { problems }) } } };
    }
    if (error instanceof RateLimitedError) {
      return { status: 429, headers: { "Retry-After": String(error.retryAfterSeconds) }, jsonBody: { error: { code: "rate-limited", message: error.message } } };
    }
    if (error instanceof ConfigError) {
      context.error(error.message);
      return { status: 503, jsonBody: { error: { code: "not-configured", message: "The app's settings are invalid; see the function app's logs." } } };
    }
    if (error instanceof StoreNotConfiguredError) {
      context.error(error.message);
      return { status: 503, jsonBody: { error: { code: "store-not-configured", message: "The findings store is not configured; see the function app's logs." } } };
    }
    // Message and codes only: a storage error object carries the signed request.
    const { statusCode, code } = (error ?? {}) as { statusCode?: unknown; code?: unknown };
    context.error(`query failed: ${(error as Error)?.message ?? String(error)}`, { statusCode, code });
    return { status: 500, jsonBody: { error: { code: "internal", message: "The query failed; see the function app's logs." } } };
  }
}
