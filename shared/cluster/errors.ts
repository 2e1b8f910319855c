/**
 * Turns whatever a Kubernetes or ARM call threw into a typed CollectionError,
 * with a message that can be stored and shown: secrets are scrubbed and
 * nothing of the request (headers, kubeconfig) is copied into it.
 */
import { KubernetesHttpError } from "./kube-http.js";
import type { CollectionError, CollectionErrorKind } from "./model.js";

/** What a request was trying to do, in RBAC terms. */
export interface RequestTarget {
  resource: string;
  verb: string;
  /** API group, "" for core. */
  group: string;
  namespace?: string;
}

/** Thrown by the token provider; stays distinct from the HTTP errors of the API server. */
export class TokenAcquisitionError extends Error {
  override readonly name = "TokenAcquisitionError";
}

/**
 * A bound of the scanner's own (pages or items of a list, time for a whole
 * cluster) stopped a read. Kind "error": the server answered, the scanner
 * chose not to read on; the message names the limit.
 */
export class CollectionLimitError extends Error {
  override readonly name = "CollectionLimitError";
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "ECONNRESET",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ECONNABORTED",
  "EPROTO",
  "UND_ERR_SOCKET",
]);
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "ESOCKETTIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT"]);

/** Kubernetes API errors, HTTP statuses first, then transport failures by their code. */
export function kubernetesError(error: unknown, target: RequestTarget): CollectionError {
  const base = {
    resource: target.resource,
    verb: target.verb,
    group: target.group,
    ...(target.namespace !== undefined && { namespace: target.namespace }),
  };
  if (error instanceof KubernetesHttpError) {
    const status = error.code;
    const message = statusMessage(error.body) ?? `HTTP ${status}`;
    return { kind: kindOfStatus(status), ...base, message: scrub(message), httpStatus: status };
  }
  if (error instanceof CollectionLimitError) return { kind: "error", ...base, message: error.message };
  if (error instanceof TokenAcquisitionError) return { kind: "unauthorized", ...base, message: scrub(error.message) };
  return { kind: kindOfTransportError(error), ...base, message: scrub(transportMessage(error)) };
}

export function kindOfStatus(status: number): CollectionErrorKind {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 408 || status === 504) return "timeout";
  return "error";
}

/** Transport failures: unreachable (DNS, refused, reset, TLS) or timeout. */
export function kindOfTransportError(error: unknown): CollectionErrorKind {
  const { name, code, type } = errorFields(error);
  if (name === "AbortError" || name === "TimeoutError" || type === "aborted" || type === "request-timeout") return "timeout";
  if (code !== undefined && TIMEOUT_CODES.has(code)) return "timeout";
  if (code !== undefined && (NETWORK_CODES.has(code) || isTlsCode(code))) return "unreachable";
  if (name === "FetchError" && type === "system") return "unreachable";
  return "error";
}

function isTlsCode(code: string): boolean {
  return code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL") || code.includes("CERT") || code.includes("SIGNATURE");
}

function transportMessage(error: unknown): string {
  const { name, code, message } = errorFields(error);
  if (name === "AbortError" || name === "TimeoutError") return "the request timed out";
  return code !== undefined ? `${code}: ${message}` : message;
}

function errorFields(error: unknown): { name?: string; code?: string; type?: string; message: string } {
  if (error === null || typeof error !== "object") return { message: String(error) };
  const record = error as { name?: unknown; code?: unknown; type?: unknown; message?: unknown; cause?: unknown };
  const cause = record.cause as { code?: unknown } | undefined;
  const code = typeof record.code === "string" ? record.code : typeof cause?.code === "string" ? cause.code : undefined;
  return {
    ...(typeof record.name === "string" && { name: record.name }),
    ...(code !== undefined && { code }),
    ...(typeof record.type === "string" && { type: record.type }),
    message: typeof record.message === "string" ? record.message : String(error),
  };
}

/** The message of a Kubernetes Status body (the raw text of the answer). */
function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() === "" ? undefined : body;
    }
  }
  const message = (value as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : undefined;
}

/** True when an error is the 410 a list continue token gets once the server no longer has its snapshot. */
export function isExpiredContinue(error: CollectionError): boolean {
  return error.httpStatus === 410;
}

const MAX_MESSAGE_LENGTH = 400;
/**
 * Characters of a message that are scrubbed at all; the rest is dropped
 * first. Scrubbing a whole answer made its cost grow with what a server
 * sent, not with what is kept: a 15 MB error body froze the process for
 * minutes. Generous next to MAX_MESSAGE_LENGTH, because redactions shorten
 * the text before it is cut to that length.
 */
export const SCRUB_WINDOW_CHARS = 16 * 1024;

/** What ends a secret in running text: whitespace, quotes and the separators of headers and JSON. */
const SEPARATOR = /[\s"',;]/;

/**
 * Removes anything that looks like a credential: JWTs, bearer values, PEM
 * blocks, long hex or base64 runs (static tokens). Messages come from servers
 * and libraries we do not control. Only the first SCRUB_WINDOW_CHARS are
 * looked at, and every pattern is linear in them (none starts a match inside
 * a run it already scanned), so the cost does not depend on the input size.
 */
export function scrub(message: string): string {
  const cut = message.length > SCRUB_WINDOW_CHARS;
  // A secret the cut went through may no longer look like one: its remains go with it.
  const window = cut ? withoutTrailingRun(message.slice(0, SCRUB_WINDOW_CHARS)) : message;
  // Bearer values before JWTs: "Bearer eyJ..." becomes "Bearer [redacted]", not "Bearer [redacted] token]".
  const cleaned = redactPemBlocks(window)
    .replace(/\b(Bearer|Basic)\s+[^\s"',;]+/gi, "$1 [redacted]")
    .replace(/(?<![\w-])eyJ[\w-]+\.[\w-]+\.[\w-]*/g, "[redacted token]")
    .replace(/\b[a-f0-9]{32,}\b/gi, "[redacted]")
    .replace(/(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{48,}={0,2}/g, "[redacted]");
  return cleaned.length > MAX_MESSAGE_LENGTH || cut ? `${cleaned.slice(0, MAX_MESSAGE_LENGTH)}...` : cleaned;
}

/**
 * PEM blocks, found with indexOf rather than a lazy regex (which rescans to
 * the end from every BEGIN that has no END: quadratic). A block without its
 * END line, cut off by a server or by the window, is redacted to the end.
 */
function redactPemBlocks(text: string): string {
  let out = "";
  let from = 0;
  for (;;) {
    const begin = text.indexOf("-----BEGIN ", from);
    if (begin === -1) return out + text.slice(from);
    out += `${text.slice(from, begin)}[redacted pem]`;
    const end = text.indexOf("-----END ", begin);
    const close = end === -1 ? -1 : text.indexOf("-----", end + "-----END ".length);
    if (close === -1) return out;
    from = close + "-----".length;
  }
}

/** The text without its last run of non-separator characters (a word, or the part of a token before a cut). */
function withoutTrailingRun(text: string): string {
  let end = text.length;
  while (end > 0 && !SEPARATOR.test(text[end - 1]!)) end -= 1;
  return text.slice(0, end);
}
