/**
 * The scanner's connection to one API server: requests sent with the
 * ClusterAccess's token (asked for per request, never stored here) and its
 * client certificate (held only inside the TLS context of the session's
 * keep-alive connection pool), with a per-request timeout, a request counter,
 * a small concurrency limit and a couple of retries for throttling and
 * transient server errors.
 */
import type { Agent as HttpAgent } from "node:http";
import { Agent } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import pLimit from "p-limit";
import type { ClusterAccess } from "./access.js";
import { CollectionLimitError, kubernetesError, scrub, TokenAcquisitionError, type RequestTarget } from "./errors.js";
import { apiServerAgent, apiServerProxyAgent, ConnectTimeoutError, KubernetesHttpError, send, type Query } from "./kube-http.js";
import { ListSplitter, MalformedAnswerError } from "./list-splitter.js";
import { proxyFor } from "./proxy.js";
import type { CollectionError } from "./model.js";
import { withoutManagedFields } from "./managed-fields.js";

export interface KubeSessionOptions {
  requestTimeoutMs: number;
  /** Requests in flight at once against this API server. */
  concurrency: number;
  /** Retries after 429 / 5xx (with Retry-After, capped). */
  retries: number;
  /**
   * The time budget of the whole session: past `at` (a performance.now()
   * value) no request is sent and one in flight is cut, failing with `error`.
   */
  deadline?: { at: number; error: CollectionLimitError };
}

/** Items of a list that can be told apart unparsed (`worthParsing` may not keep the bytes past its return): `skipped` is told of each item left unparsed. */
export interface ItemFilter {
  worthParsing(bytes: Buffer): boolean;
  skipped(): void;
}

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: CollectionError };

const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
const MAX_RETRY_DELAY_MS = 5_000;
/** One object (or a TokenRequest's answer) larger than this is refused rather than held. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;
/**
 * A list page is streamed, never held, but a server that sends without end
 * must still be stopped: 500 pods of a hostile cluster with 64 kB
 * annotations are ~35 MB.
 */
const MAX_LIST_BYTES = 256 * 1024 * 1024;
const USER_AGENT = "wiscan";
/**
 * A healthy API server accepts a connection in well under a second; one that
 * does not within this long is not reached by waiting (and not retried), so
 * an unreachable cluster costs this, not three request timeouts.
 */
const MAX_CONNECT_MS = 10_000;

export class KubeSession {
  /** HTTP requests sent, retries included. */
  requests = 0;
  /** True once any request got an HTTP answer: the API server is reachable. */
  reached = false;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly agent: HttpAgent;
  private readonly unusableCredential: TokenAcquisitionError | undefined;
  /** A kubeconfig `proxy-url` the scanner cannot use (not a URL, or socks5://): every request fails with it. */
  private readonly unusableProxy: Error | undefined;

  constructor(
    private readonly access: ClusterAccess,
    private readonly options: KubeSessionOptions,
  ) {
    this.limit = pLimit(options.concurrency);
    const certificate = access.clientCertificate?.();
    // The kubeconfig's proxy-url, else HTTPS_PROXY unless NO_PROXY names the server (proxy.ts).
    let proxy: URL | undefined;
    try {
      proxy = proxyFor(new URL(access.server), { proxyUrl: access.proxyUrl });
    } catch (error) {
      this.unusableProxy = new Error(`the cluster's proxy cannot be used: ${scrub((error as Error).message ?? String(error))}`);
    }
    try {
      const tls = { ...(access.caData && { caData: access.caData }), ...(certificate && { clientCertificate: certificate }) };
      this.agent = proxy === undefined ? apiServerAgent(tls, options.concurrency) : apiServerProxyAgent(tls, options.concurrency, proxy);
    } catch (error) {
      // A client certificate or key OpenSSL cannot read: every request fails the way a missing credential does.
      this.unusableCredential = new TokenAcquisitionError(`the cluster-user credential's client certificate cannot be used: ${scrub((error as Error).message ?? String(error))}`);
      this.agent = new Agent();
    }
  }

  /** GET of a JSON document: a list page (`limit`, `continue`) or one object. */
  async getJson<T>(path: string, query?: Query): Promise<T> {
    return parseAnswer<T>(await this.send("GET", path, query, undefined, MAX_JSON_BYTES, "application/json"));
  }

  /**
   * GET of one page of a list, handing each item to `onItem` as it arrives
   * (see ListSplitter): the page is never held whole. Returns the list's
   * metadata (the continue token).
   */
  async getList<T>(path: string, query: Query, onItem: (item: T) => void, filter?: ItemFilter): Promise<{ continue?: string }> {
    const splitter = new ListSplitter((bytes) => {
      // managedFields are never read: cut from the bytes, they are never parsed either.
      if (!filter || filter.worthParsing(bytes)) onItem(parseAnswer<T>(withoutManagedFields(bytes).toString("utf8")));
      else filter.skipped();
    });
    await this.send("GET", path, query, undefined, MAX_LIST_BYTES, "application/json", (chunk) => splitter.write(chunk));
    return splitter.end<{ metadata?: { continue?: string } }>().metadata ?? {};
  }

  /** GET of a text document (a pod's log), read up to `maxBytes`. */
  getText(path: string, query: Query, maxBytes: number): Promise<string> {
    return this.send("GET", path, query, undefined, maxBytes, "*/*");
  }

  /** POST of a JSON object (a TokenRequest), answered with JSON. */
  async postJson<T>(path: string, body: unknown): Promise<T> {
    return parseAnswer<T>(await this.send("POST", path, undefined, JSON.stringify(body), MAX_JSON_BYTES, "application/json"));
  }

  /**
   * Runs one request within the concurrency limit; failures come back typed,
   * never thrown. `mayRetry` can forbid a retry that would repeat work already
   * done (a list page that failed after handing over some of its items).
   */
  async call<T>(target: RequestTarget, request: () => Promise<T>, mayRetry: () => boolean = () => true): Promise<CallResult<T>> {
    for (let attempt = 0; ; attempt++) {
      let failure: unknown;
      try {
        return { ok: true, value: await this.limit(request) };
      } catch (error) {
        failure = error;
      }
      const error = kubernetesError(failure, target);
      if (attempt >= this.options.retries || !isRetryable(error, failure) || !mayRetry()) {
        return { ok: false, error };
      }
      await sleep(retryDelayMs(failure, attempt));
    }
  }

  /** True once the session's deadline has passed: every request would fail at once. */
  outOfTime(): boolean {
    const deadline = this.options.deadline;
    return deadline !== undefined && performance.now() >= deadline.at;
  }

  /** Closes the session's connections now instead of when they have idled out: a fleet scan holds thousands otherwise. */
  close(): void {
    this.agent.destroy();
  }

  private async send(
    method: "GET" | "POST",
    path: string,
    query: Query | undefined,
    body: string | undefined,
    maxBytes: number,
    accept: string,
    sink?: (chunk: Buffer) => void,
  ): Promise<string> {
    if (this.unusableCredential) throw this.unusableCredential;
    if (this.unusableProxy) throw this.unusableProxy;
    const budget = this.options.deadline;
    const budgetLeftMs = budget ? budget.at - performance.now() : Number.POSITIVE_INFINITY;
    if (budget && budgetLeftMs <= 0) throw budget.error;
    this.requests += 1;
    const headers: Record<string, string> = { Accept: accept, "User-Agent": USER_AGENT };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (this.access.bearerToken) headers["Authorization"] = `Bearer ${await this.access.bearerToken()}`;
    const deadline = new AbortController();
    // Whichever comes first, the request's timeout or the end of the session's budget, cuts the request.
    const budgetFirst = budget !== undefined && budgetLeftMs < this.options.requestTimeoutMs;
    const timer = setTimeout(
      () => deadline.abort(budgetFirst ? budget.error : new DOMException(`no answer within ${this.options.requestTimeoutMs} ms`, "TimeoutError")),
      Math.min(this.options.requestTimeoutMs, budgetLeftMs),
    );
    try {
      const { text } = await send({
        method,
        server: this.access.server,
        path,
        ...(query && { query }),
        headers,
        ...(body !== undefined && { body }),
        agent: this.agent,
        signal: deadline.signal,
        connectTimeoutMs: Math.min(this.options.requestTimeoutMs, MAX_CONNECT_MS),
        maxBytes,
      }, sink);
      this.reached = true;
      return text;
    } catch (error) {
      if (error instanceof KubernetesHttpError) this.reached = true;
      // Not "no connection within the connect deadline": the budget ended the request, whatever state it was in.
      if (deadline.signal.reason instanceof CollectionLimitError) throw deadline.signal.reason;
      throw error;
    } finally {
      // Not AbortSignal.timeout: its timer would outlive the request by the whole timeout, thousands of them in a fleet scan.
      clearTimeout(timer);
    }
  }
}

/**
 * JSON.parse, with a failure that says nothing of the text: V8 quotes the
 * text around a syntax error, and an answer can hold a pod's environment
 * values or a TokenRequest's token, which must never reach a stored message.
 */
function parseAnswer<T>(text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new MalformedAnswerError("the API server's answer is not valid JSON");
  }
}

/**
 * Throttling and transient server errors, and a connection dropped or an answer
 * not in time: the calls are reads (and TokenRequests, which are harmless to
 * repeat), so sending them again is safe. A refused connection, a DNS failure
 * or a certificate problem does not go away within a second: not retried.
 */
function isRetryable(error: CollectionError, failure: unknown): boolean {
  if (failure instanceof ConnectTimeoutError || failure instanceof CollectionLimitError) return false;
  if (error.httpStatus !== undefined) return RETRYABLE_STATUSES.has(error.httpStatus);
  if (error.kind === "timeout") return true;
  const code = transportCode(failure);
  return code !== undefined ? TRANSIENT_TRANSPORT_CODES.has(code) : /socket hang up/i.test(error.message);
}

const TRANSIENT_TRANSPORT_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET"]);

function transportCode(failure: unknown): string | undefined {
  const record = (failure ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  if (typeof record.code === "string") return record.code;
  return typeof record.cause?.code === "string" ? record.cause.code : undefined;
}

function retryDelayMs(error: unknown, attempt: number): number {
  const headers = (error as { headers?: Record<string, string> }).headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  const delay = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : 250 * 2 ** attempt;
  return Math.min(delay, MAX_RETRY_DELAY_MS);
}
