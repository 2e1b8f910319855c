/**
 * The few HTTP requests a scan sends to a Kubernetes API server (list a
 * resource, get one object, read a pod's log, create a TokenRequest), on
 * node:https with one keep-alive connection pool per API server.
 *
 * Why not @kubernetes/client-node's API classes, which the scanner used
 * before: loading them costs ~80 MB of RSS (46 MB for CoreV1Api alone, its
 * model classes and serializer) before the first request, more than half of
 * the 150 MB a 20,000-pod cluster scan is allowed, and every request went
 * through node-fetch and client-node's middleware chain, ~18 % of the
 * scanner's CPU on a fleet scan (docs/benchmarks.md). A scan only reads, with
 * paths and query parameters that are part of the stable v1 API, so the
 * request side is small; client-node stays the source of the object types and
 * the independent client the simulator is tested with.
 */
import { Agent, request, type AgentOptions } from "node:https";
import type { Agent as HttpAgent, IncomingHttpHeaders, IncomingMessage } from "node:http";
import { createSecureContext, type SecureContext } from "node:tls";
import type { RequestTarget } from "./errors.js";
import { TunnellingAgent } from "./proxy.js";

/** An answer with a status outside 2xx; `body` is the server's text (a Kubernetes Status, usually). */
export class KubernetesHttpError extends Error {
  override readonly name = "KubernetesHttpError";
  constructor(
    readonly code: number,
    readonly body: string,
    readonly headers: IncomingHttpHeaders,
  ) {
    super(`HTTP ${code}`);
  }
}

/** A response body over the size the caller allows: read no further, keep nothing of it. */
export class ResponseTooLargeError extends Error {
  override readonly name = "ResponseTooLargeError";
  constructor(readonly limitBytes: number) {
    super(`the response is larger than ${limitBytes} bytes`);
  }
}

/**
 * No TCP and TLS connection to the API server within the connect deadline: a
 * private cluster seen from outside its network, a firewall that drops
 * packets. Not worth repeating the way a slow answer is.
 */
export class ConnectTimeoutError extends Error {
  override readonly name = "ConnectTimeoutError";
  readonly code = "ETIMEDOUT";
  constructor(readonly timeoutMs: number) {
    super(`no connection to the API server within ${timeoutMs} ms`);
  }
}

export interface TlsMaterial {
  /** Base64 PEM of the cluster CA; the system roots when absent. */
  caData?: string;
  /** Base64 PEM client certificate and key (kubeconfig `client-certificate-data` / `client-key-data`). */
  clientCertificate?: { certData: string; keyData: string };
}

/** Idle connections to an API server close after this long: a scan moves on to other clusters. */
const IDLE_CONNECTION_MS = 10_000;

/**
 * One pool of keep-alive connections to one API server, sharing one TLS
 * context: without it Node builds a new context (parsing the CA PEM into a
 * fresh certificate store) for every connection.
 */
export function apiServerAgent(tls: TlsMaterial, maxSockets: number): Agent {
  return new Agent({ secureContext: apiServerContext(tls), ...poolOptions(maxSockets) });
}

/**
 * The same pool through an HTTP proxy (see proxy.ts): every connection is a
 * CONNECT tunnel, and the TLS inside the tunnel still verifies the cluster's
 * CA and presents the client certificate; the proxy sees host and port, never
 * the requests.
 */
export function apiServerProxyAgent(tls: TlsMaterial, maxSockets: number, proxy: URL): HttpAgent {
  return new TunnellingAgent(proxy, apiServerContext(tls), poolOptions(maxSockets));
}

function apiServerContext(tls: TlsMaterial): SecureContext {
  const options: AgentOptions = {};
  if (tls.caData) options.ca = Buffer.from(tls.caData, "base64");
  if (tls.clientCertificate) {
    options.cert = Buffer.from(tls.clientCertificate.certData, "base64");
    options.key = Buffer.from(tls.clientCertificate.keyData, "base64");
  }
  return createSecureContext(options);
}

function poolOptions(maxSockets: number) {
  return { keepAlive: true, maxSockets, timeout: IDLE_CONNECTION_MS, scheduling: "lifo" as const };
}

/** The URL path of a resource of the v1 API: `/api/v1/pods`, `/apis/apps/v1/namespaces/ns/deployments/name`, ... */
export function apiPath(target: Pick<RequestTarget, "resource" | "group" | "namespace">, name?: string, subresource?: string): string {
  // RBAC names a subresource "pods/log"; the URL puts the object's name between the two.
  const resource = target.resource.split("/")[0] ?? target.resource;
  const segments = target.group === "" ? ["api", "v1"] : ["apis", target.group, "v1"];
  if (target.namespace !== undefined) segments.push("namespaces", target.namespace);
  segments.push(resource);
  if (name !== undefined) segments.push(name);
  if (subresource !== undefined) segments.push(subresource);
  return "/" + segments.map(encodeURIComponent).join("/");
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface HttpCall {
  method: "GET" | "POST";
  /** API server URL, with the path prefix it may carry. */
  server: string;
  path: string;
  query?: Query;
  headers: Record<string, string>;
  body?: string;
  agent: HttpAgent;
  signal: AbortSignal;
  /**
   * A new connection must be up (TCP and TLS) within this long; a pooled one
   * is not timed. Through a proxy the tunnel is built before the request sees
   * its socket, so only the request timeout (`signal`) bounds it.
   */
  connectTimeoutMs?: number;
  /** The body is read up to this many bytes, then the request fails with ResponseTooLargeError. */
  maxBytes: number;
}

/**
 * Sends one request and reads the whole answer; a status outside 2xx throws
 * KubernetesHttpError with the body. With `sink`, a successful answer's bytes
 * go to it as they arrive instead of into `text`.
 */
export async function send(call: HttpCall, sink?: (chunk: Buffer) => void): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const url = requestUrl(call.server, call.path, call.query);
  const connectTimeoutMs = call.connectTimeoutMs;
  let connected = false;
  try {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const outgoing = request(url, { method: call.method, agent: call.agent, headers: call.headers, signal: call.signal }, resolve);
      outgoing.on("error", reject);
      outgoing.once("socket", (socket) => {
        if (!socket.connecting) {
          connected = true; // a pooled connection
          return;
        }
        const timer = connectTimeoutMs === undefined ? undefined : setTimeout(() => outgoing.destroy(new ConnectTimeoutError(connectTimeoutMs)), connectTimeoutMs);
        socket.once("secureConnect", () => {
          connected = true;
          clearTimeout(timer);
        });
        socket.once("close", () => clearTimeout(timer));
      });
      outgoing.end(call.body);
    });
    const status = response.statusCode ?? 0;
    const ok = status >= 200 && status <= 299;
    if (!ok) throw new KubernetesHttpError(status, await readErrorBody(response), response.headers);
    const text = await readBody(response, call.maxBytes, sink);
    return { status, headers: response.headers, text };
  } catch (error) {
    if (call.signal.aborted && !(error instanceof KubernetesHttpError)) {
      // The request's own deadline passed first: say whether a connection was ever made.
      if (!connected && connectTimeoutMs !== undefined) throw new ConnectTimeoutError(connectTimeoutMs);
      // A timeout that strikes while the body streams in surfaces as a reset socket: say what it was.
      throw call.signal.reason;
    }
    throw error;
  }
}

async function readBody(response: IncomingMessage, maxBytes: number, sink: ((chunk: Buffer) => void) | undefined): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      response.destroy();
      throw new ResponseTooLargeError(maxBytes);
    }
    if (sink) sink(chunk);
    else chunks.push(chunk);
  }
  return sink ? "" : Buffer.concat(chunks, size).toString("utf8");
}

/**
 * An error answer is read only this far: a Kubernetes Status is a few
 * hundred bytes, and all that is kept of it is a scrubbed message of a few
 * hundred characters. A proxy's 15 MB error page is not held, nor scrubbed.
 */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** The first MAX_ERROR_BODY_BYTES of an error answer; the connection is dropped rather than the rest read. */
async function readErrorBody(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    chunks.push(chunk.subarray(0, MAX_ERROR_BODY_BYTES - size));
    size += Math.min(chunk.length, MAX_ERROR_BODY_BYTES - size);
    // Leaving the loop destroys the response.
    if (size >= MAX_ERROR_BODY_BYTES) break;
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

function requestUrl(server: string, path: string, query: Query = {}): URL {
  const base = new URL(server);
  const url = new URL(base.pathname.replace(/\/+$/, "") + path, base);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  return url;
}
