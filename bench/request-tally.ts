/**
 * Counts the scanner process's own HTTP requests by kind, from Node's
 * diagnostics channel: every attempt of every client (Azure SDK, Kubernetes
 * client, identity) is seen once its response has been read, without
 * touching the clients. Used only by the benchmark's scanner child.
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";
import { REQUEST_KINDS, type KindTally, type RequestKind } from "./protocol.js";

const CHANNEL = "http.client.response.finish";

export interface RequestTally {
  kinds: Record<RequestKind, KindTally>;
  newConnections: number;
  /** ARM GETs: what ARM's read quota counts. */
  armReads: number;
  podPages: number;
  logReads: number;
  stop(): void;
}

/** Starts counting; `kubernetesHost` is the host:port of the simulated API servers. */
export function startRequestTally(kubernetesHost: string): RequestTally {
  const tally: RequestTally = {
    kinds: Object.fromEntries(REQUEST_KINDS.map((k) => [k, { requests: 0, retries: 0, bytes: 0, connections: 0 }])) as Record<RequestKind, KindTally>,
    newConnections: 0,
    armReads: 0,
    podPages: 0,
    logReads: 0,
    stop: () => unsubscribe(CHANNEL, listener),
  };
  const listener = (message: unknown): void => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const host = String(request.getHeader("host") ?? request.host);
    const path = request.path;
    const kind = requestKind(host === kubernetesHost, path);
    const entry = tally.kinds[kind];
    entry.requests += 1;
    const status = response.statusCode ?? 0;
    if (status === 429 || status >= 500) entry.retries += 1;
    entry.bytes += Number(response.headers["content-length"] ?? 0) || 0;
    if (!request.reusedSocket) {
      tally.newConnections += 1;
      entry.connections += 1;
    }
    if (kind === "arm" && request.method === "GET") tally.armReads += 1;
    if (kind === "kubernetes") {
      const resource = path.split("?")[0] ?? "";
      if (/\/api\/v1\/pods$/.test(resource)) tally.podPages += 1;
      else if (/\/log$/.test(resource)) tally.logReads += 1;
    }
  };
  subscribe(CHANNEL, listener);
  return tally;
}

/** The API family of a request, as the simulator classifies it. */
export function requestKind(toKubernetes: boolean, path: string): RequestKind {
  if (toKubernetes) return "kubernetes";
  const pathname = path.split("?")[0] ?? "";
  if (/^\/providers\/microsoft\.resourcegraph\//i.test(pathname)) return "resourceGraph";
  const first = (pathname.split("/")[1] ?? "").toLowerCase();
  if (first === "v1.0" || first === "beta") return "graph";
  if (first === "subscriptions" || first === "providers") return "arm";
  return "token";
}
