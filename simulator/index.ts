/**
 * The fleet simulator: Azure Resource Graph, ARM, Microsoft Graph and the
 * Entra token endpoint on one HTTPS port, every cluster's Kubernetes API
 * server under `/clusters/<name>` on a second one, both on loopback with a CA
 * generated at start. Built from a fleet description; never used by
 * production code.
 *
 * @example
 * const sim = await startSimulator({ fleet: await loadFleet("test/fleets/demo") });
 * // point clients at sim.armEndpoint, trusting sim.caPem
 * await sim.close();
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer as createHttpsServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createNetServer, Server as NetServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ARM_AUDIENCES, AKS_SERVER_APP_ID, GRAPH_AUDIENCES, type AzureContext } from "./azure/context.js";
import { sendArmError } from "./azure/arm-errors.js";
import { handleArm } from "./azure/arm.js";
import { handleGraph, sendGraphError } from "./azure/graph.js";
import { handleResourceGraphQuery, RESOURCE_GRAPH_API_VERSIONS } from "./azure/resource-graph.js";
import { handleTokenEndpoint, type ScannerPrincipal } from "./azure/token.js";
import { FaultInjector, type FaultAction, type FaultsConfig } from "./faults.js";
import { validateFleet } from "./fleet/load.js";
import type { ArmObject, FleetDescription } from "./fleet/model.js";
import { API_FAMILIES, assertNever, bearerToken, formatTimeSpan, readBody, sendJson, type ApiFamily } from "./http.js";
import { setTimeout as sleep } from "node:timers/promises";
import { createKubernetesApi, type KubernetesApiOptions } from "./kubernetes/index.js";
import { generateLoopbackTls } from "./tls.js";
import { createTokenSigner, type TokenSigner } from "./tokens.js";

export { loadFleet, validateFleet, FleetValidationError } from "./fleet/load.js";
export type { FleetDescription } from "./fleet/model.js";
export type { FaultsConfig, FaultRule } from "./faults.js";
export { API_FAMILIES, type ApiFamily } from "./http.js";

export interface SimulatorOptions {
  fleet: FleetDescription;
  /** Rows per Resource Graph page (Azure's is 1000); tests make it small to exercise paging. */
  resourceGraphPageSize?: number;
  /** Subscriptions accepted per Resource Graph query (Azure's limit is 1000). */
  resourceGraphMaxSubscriptions?: number;
  /** Subscriptions a tenant or management-group query reads at most (Azure's limit is 10,000); tests make it small. */
  resourceGraphTenantSubscriptionLimit?: number;
  /** Items per ARM list page before a nextLink (default 100). */
  armPageSize?: number;
  /** Items per Microsoft Graph page before an @odata.nextLink (default 100). */
  graphPageSize?: number;
  /** Injected faults; replaces the fleet's faults.json when given. */
  faults?: FaultsConfig;
  /** Latency added to every request; overrides faults.latencyMs. */
  latencyMs?: number;
  /** Port of the Azure side (0 or absent: any free port). */
  port?: number;
  /** Port of the Kubernetes side (0 or absent: any free port). */
  kubernetesPort?: number;
  /** Where the CA file is written (default: a new temporary directory). */
  outDir?: string;
  /** The scanner's app registration (client-credential grant); defaults are fixed values. */
  scanner?: Partial<ScannerPrincipal>;
  /** Passed to the Kubernetes API servers (RBAC denials, continue-token expiry, clock). */
  kubernetes?: Omit<KubernetesApiOptions, "tokens">;
  /** Skip validation of an in-memory fleet that is known to be valid (large generated fleets). */
  skipValidation?: boolean;
  /** Told every JWT the simulator signs (access tokens, service-account tokens): secret-leak tests look for them. */
  onTokenSigned?: (token: string) => void;
  /**
   * True when the caller stands inside the private clusters' networks (a
   * scanner with VNet integration): their API servers then answer. By
   * default they refuse, as a private cluster's does from anywhere else.
   */
  reachesPrivateClusters?: boolean;
}

export interface Simulator {
  /** https://127.0.0.1:PORT, serving ARM and Resource Graph. */
  armEndpoint: string;
  /** Microsoft Graph root; requests go to `${graphEndpoint}/v1.0/...`. */
  graphEndpoint: string;
  /** Entra authority host; the token endpoint is `${authorityHost}/${tenantId}/oauth2/v2.0/token`. */
  authorityHost: string;
  /** https://127.0.0.1:PORT of the Kubernetes side; cluster N is `${kubernetesEndpoint}/clusters/N`. */
  kubernetesEndpoint: string;
  caPem: string;
  caFile: string;
  tenantId: string;
  scanner: ScannerPrincipal;
  fleet: FleetDescription;
  /** A kubeconfig (YAML) reaching one cluster, with a user kubectl can use without kubelogin. */
  kubeconfigFor(clusterName: string): string;
  /** Writes one kubeconfig with a context per cluster of the fleet (mode 0600). */
  writeKubeconfig(path: string): Promise<void>;
  requestCounts(): Record<ApiFamily, number>;
  /** Fault rules fired so far, by "family fault [status]" (latency rules included). */
  faultCounts(): Record<string, number>;
  resetCounts(): void;
  close(): Promise<void>;
}

export const DEFAULT_SCANNER: ScannerPrincipal = {
  clientId: "5c1f1b2e-0a6d-4c77-9a3e-51a7e3a0c0de",
  clientSecret: "fleet-simulator-secret",
  objectId: "9d3c2b1a-7e6f-4a5b-8c9d-0e1f2a3b4c5d",
};

/** Starts both servers; resolves once they listen. */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const { fleet } = options;
  if (!options.skipValidation) validateFleet(fleet);
  const tls = generateLoopbackTls();
  const signer = observedSigner(createTokenSigner(), options.onTokenSigned);
  const faults = new FaultInjector(options.faults ?? (fleet.faults as FaultsConfig | undefined), {
    ...(options.latencyMs !== undefined && { latencyMs: options.latencyMs }),
  });
  const scanner: ScannerPrincipal = { ...DEFAULT_SCANNER, ...options.scanner };
  const kubernetes = createKubernetesApi(fleet, { ...options.kubernetes, tokens: signer });
  const counts = emptyCounts();
  const refusingPort = await reserveRefusingPort();
  const privateClusters = new Set(fleet.azure.managedClusters.filter(isPrivateCluster).map((c) => c.name));

  let kubernetesEndpoint = "";
  const ctx: AzureContext = {
    fleet,
    signer,
    faults,
    resourceGraphPageSize: options.resourceGraphPageSize ?? 1000,
    resourceGraphMaxSubscriptions: options.resourceGraphMaxSubscriptions ?? 1000,
    resourceGraphTenantSubscriptionLimit: options.resourceGraphTenantSubscriptionLimit ?? 10_000,
    armPageSize: options.armPageSize ?? 100,
    graphPageSize: options.graphPageSize ?? 100,
    endpoint: "",
    caPem: tls.caPem,
    kubernetesServerFor: (name) =>
      fleet.clusters.has(name) && !faults.isClusterAlwaysUnreachable(name) && (options.reachesPrivateClusters === true || !privateClusters.has(name))
        ? `${kubernetesEndpoint}/clusters/${encodeURIComponent(name)}`
        : `https://127.0.0.1:${refusingPort}/clusters/${encodeURIComponent(name)}`,
    kubernetesTokenFor: (name) => kubernetes.bearerTokenFor(name),
    kubernetesClientCertificate: { certPem: tls.clientCertPem, keyPem: tls.clientKeyPem },
  };

  const sockets = new Set<Socket>();
  const track = (server: Server) =>
    server.on("secureConnection", (socket: Socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });

  const azureServer = createHttpsServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    void serveAzure(req, res).catch((error: unknown) => internalError(res, error));
  });
  // Asks for a client certificate and lets the request through without one: the API server decides (x509 or bearer authentication).
  const kubernetesServer = createHttpsServer({ key: tls.keyPem, cert: tls.certPem, ca: tls.caPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    void serveKubernetes(req, res).catch((error: unknown) => internalError(res, error));
  });
  track(azureServer);
  track(kubernetesServer);

  async function serveAzure(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", ctx.endpoint);
    const method = (req.method ?? "GET").toUpperCase();
    const family = azureFamilyOf(url.pathname);
    counts[family] += 1;
    const cluster = /\/managedclusters\/([^/?]+)/i.exec(url.pathname)?.[1];
    const body = await readBody(req);
    const decision = faults.decide({ family, method, path: url.pathname + url.search, body, ...(cluster !== undefined && { cluster }) });
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.action && applyAzureFault(family, decision.action, req, res)) return;

    switch (family) {
      case "token":
        handleTokenEndpoint(ctx, scanner, method, url, body, res);
        return;
      case "graph": {
        const caller = authenticate(req, res, GRAPH_AUDIENCES, "graph");
        if (caller) handleGraph(ctx, method, url, res);
        return;
      }
      case "resourceGraph": {
        const caller = authenticate(req, res, ARM_AUDIENCES, "arm");
        if (!caller) return;
        if (!/^\/providers\/microsoft\.resourcegraph\/resources$/i.test(url.pathname) || method !== "POST") {
          sendArmError(res, 404, "InvalidResourceType", `The fleet simulator serves only POST /providers/Microsoft.ResourceGraph/resources (got ${method} ${url.pathname}).`);
          return;
        }
        const apiVersion = url.searchParams.get("api-version") ?? "";
        if (!RESOURCE_GRAPH_API_VERSIONS.includes(apiVersion)) {
          sendArmError(res, 400, "InvalidApiVersionParameter", `The api-version '${apiVersion}' is invalid. The supported versions are '${RESOURCE_GRAPH_API_VERSIONS.join(",")}'.`);
          return;
        }
        handleResourceGraphQuery(ctx, res, caller, body);
        return;
      }
      case "arm": {
        const caller = authenticate(req, res, ARM_AUDIENCES, "arm");
        if (!caller) return;
        if (method === "GET") {
          const quota = faults.takeArmRead(caller);
          if (quota) res.setHeader("x-ms-ratelimit-remaining-subscription-reads", String(quota.remaining));
          if (quota && !quota.allowed) {
            const seconds = Math.max(1, Math.ceil(quota.resetsAfterMs / 1000));
            sendArmError(res, 429, "SubscriptionRequestsThrottled", `Number of 'read' requests for actor '${caller}' exceeded. Please try again after '${seconds}' seconds.`, { "retry-after": String(seconds) });
            return;
          }
        }
        handleArm(ctx, method, url, res, body);
        return;
      }
      case "kubernetes":
        sendArmError(res, 404, "NotFound", "Kubernetes API servers are on the Kubernetes port.");
        return;
      default:
        assertNever(family);
    }
  }

  async function serveKubernetes(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counts.kubernetes += 1;
    const match = /^\/clusters\/([^/?]+)(.*)$/.exec(req.url ?? "/");
    if (!match) {
      sendJson(res, 404, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "the server could not find the requested resource", reason: "NotFound", code: 404 });
      return;
    }
    const cluster = decodeURIComponent(match[1] ?? "");
    let path = match[2] ?? "";
    if (path === "" || path.startsWith("?")) path = "/" + path;
    const method = (req.method ?? "GET").toUpperCase();
    const decision = faults.decide({ family: "kubernetes", method, path, cluster });
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    const action = decision.action;
    if (action) {
      switch (action.kind) {
        case "reset":
        case "unreachable":
          resetConnection(req);
          return;
        case "truncate":
          cutShort(req, res);
          break;
        case "status": {
          const reason = action.status === 429 ? "TooManyRequests" : action.status === 503 ? "ServiceUnavailable" : "InternalError";
          const headers: Record<string, string> = action.retryAfterSeconds !== undefined ? { "retry-after": String(action.retryAfterSeconds) } : {};
          sendJson(res, action.status, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `injected fault: ${reason}`, reason, code: action.status }, headers);
          return;
        }
        case "forbidden":
        case "unauthorized":
        case "endless-continue":
          await kubernetes.handle(req, res, cluster, path, { kind: action.kind });
          return;
        default:
          assertNever(action);
      }
    }
    await kubernetes.handle(req, res, cluster, path);
  }

  /** The caller's object id when the bearer token is ours and meant for this API; otherwise answers 401. */
  function authenticate(req: IncomingMessage, res: ServerResponse, audiences: string[], shape: "arm" | "graph"): string | undefined {
    const token = bearerToken(req);
    const claims = token ? signer.verify(token) : undefined;
    const fail = (code: string, message: string) =>
      shape === "arm" ? sendArmError(res, 401, code, message) : sendGraphError(res, 401, code, message);
    if (!token) {
      fail(shape === "arm" ? "AuthenticationFailed" : "InvalidAuthenticationToken", shape === "arm" ? "Authentication failed. The 'Authorization' header is missing." : "Access token is empty.");
      return undefined;
    }
    if (!claims) {
      fail("InvalidAuthenticationToken", "The access token is invalid or has expired.");
      return undefined;
    }
    if (typeof claims.aud !== "string" || !audiences.includes(claims.aud)) {
      fail(
        shape === "arm" ? "InvalidAuthenticationTokenAudience" : "InvalidAuthenticationToken",
        `The access token has been obtained for wrong audience or resource '${String(claims.aud)}'. It should exactly match with one of the allowed audiences '${audiences.join("','")}'.`,
      );
      return undefined;
    }
    return String(claims.oid ?? claims.appid ?? "unknown");
  }

  /** Applies a fault to an Azure-side request; true when the response was taken care of. */
  function applyAzureFault(family: ApiFamily, action: FaultAction, req: IncomingMessage, res: ServerResponse): boolean {
    switch (action.kind) {
      case "reset":
      case "unreachable":
        resetConnection(req);
        return true;
      case "truncate":
        cutShort(req, res);
        return false;
      case "status": {
        const headers: Record<string, string> = action.retryAfterSeconds !== undefined ? { "retry-after": String(action.retryAfterSeconds) } : {};
        if (action.status === 429 && family === "resourceGraph") {
          headers["x-ms-user-quota-remaining"] = "0";
          headers["x-ms-user-quota-resets-after"] = formatTimeSpan((action.retryAfterSeconds ?? 1) * 1000);
        }
        const code = action.status === 429 ? "TooManyRequests" : action.status === 503 ? "ServiceUnavailable" : "InternalServerError";
        if (family === "graph") sendGraphError(res, action.status, action.status === 429 ? "TooManyRequests" : action.status === 503 ? "serviceNotAvailable" : "generalException", `Injected fault: ${code}.`, headers);
        else if (family === "token") sendJson(res, action.status, { error: "temporarily_unavailable", error_description: `Injected fault: ${code}.` }, headers);
        else sendArmError(res, action.status, code, `Injected fault: ${code}.`, headers);
        return true;
      }
      case "forbidden":
        if (family === "graph") sendGraphError(res, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
        else if (family === "token") sendJson(res, 403, { error: "access_denied", error_description: "Injected fault: access denied." });
        else
          sendArmError(
            res,
            403,
            "AuthorizationFailed",
            `The client '${scanner.objectId}' with object id '${scanner.objectId}' does not have authorization to perform action '${req.method} ${req.url?.split("?")[0] ?? ""}' over scope '${req.url?.split("?")[0] ?? ""}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
          );
        return true;
      case "unauthorized":
        if (family === "graph") sendGraphError(res, 401, "InvalidAuthenticationToken", "Access token validation failure.");
        else if (family === "token") sendJson(res, 401, { error: "invalid_client", error_description: "Injected fault: invalid client." });
        else sendArmError(res, 401, "InvalidAuthenticationToken", "The access token is invalid.");
        return true;
      case "endless-continue":
        // Only Kubernetes lists have continue tokens; parseFaults refuses the rule for other families.
        return false;
      default:
        return assertNever(action);
    }
  }

  const azurePort = await listen(azureServer, options.port ?? 0);
  const kubernetesPort = await listen(kubernetesServer, options.kubernetesPort ?? 0);
  const endpoint = `https://127.0.0.1:${azurePort}`;
  ctx.endpoint = endpoint;
  kubernetesEndpoint = `https://127.0.0.1:${kubernetesPort}`;

  const outDir = options.outDir ?? (await mkdtemp(join(tmpdir(), "wiscan-sim-")));
  const caFile = join(outDir, "ca.pem");
  await writeFile(caFile, tls.caPem);

  const kubeconfigEntry = (name: string) => {
    const cluster = fleet.azure.managedClusters.find((c) => c.name === name);
    if (!cluster) throw new Error(`No managed cluster named "${name}" in the fleet`);
    const entra = cluster.properties?.aadProfile !== undefined || cluster.properties?.disableLocalAccounts === true;
    const now = Math.floor(Date.now() / 1000);
    // kubectl cannot run kubelogin against the simulator: Entra clusters get a
    // day-long token of the simulator's own, for the AKS server application.
    const token = entra
      ? signer.sign({ aud: AKS_SERVER_APP_ID, iss: `https://sts.windows.net/${fleet.azure.tenantId}/`, iat: now, nbf: now, exp: now + 86400, tid: fleet.azure.tenantId, oid: scanner.objectId, appid: scanner.clientId, sub: scanner.objectId })
      : kubernetes.bearerTokenFor(name);
    return {
      cluster: { name, cluster: { "certificate-authority-data": Buffer.from(tls.caPem).toString("base64"), server: ctx.kubernetesServerFor(name) } },
      context: { name, context: { cluster: name, user: `simulator_${name}` } },
      user: { name: `simulator_${name}`, user: { token } },
    };
  };
  const kubeconfigOf = (names: string[]) => {
    const entries = names.map(kubeconfigEntry);
    return stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: entries.map((e) => e.cluster),
      contexts: entries.map((e) => e.context),
      users: entries.map((e) => e.user),
      "current-context": names[0] ?? "",
      preferences: {},
    });
  };

  return {
    armEndpoint: endpoint,
    graphEndpoint: endpoint,
    authorityHost: endpoint,
    kubernetesEndpoint,
    caPem: tls.caPem,
    caFile,
    tenantId: fleet.azure.tenantId,
    scanner,
    fleet,
    kubeconfigFor: (name) => kubeconfigOf([name]),
    writeKubeconfig: async (path) => {
      await writeFile(path, kubeconfigOf(fleet.azure.managedClusters.map((c) => c.name)), { mode: 0o600 });
    },
    requestCounts: () => ({ ...counts }),
    faultCounts: () => faults.injectedCounts(),
    resetCounts: () => {
      for (const family of API_FAMILIES) counts[family] = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([closeServer(azureServer), closeServer(kubernetesServer)]);
    },
  };
}

function observedSigner(signer: TokenSigner, observe: ((token: string) => void) | undefined): TokenSigner {
  if (!observe) return signer;
  return {
    keyId: signer.keyId,
    jwks: () => signer.jwks(),
    verify: (token, now) => signer.verify(token, now),
    sign(claims) {
      const token = signer.sign(claims);
      observe(token);
      return token;
    },
  };
}

function azureFamilyOf(pathname: string): ApiFamily {
  const first = (pathname.split("/")[1] ?? "").toLowerCase();
  if (/^\/providers\/microsoft\.resourcegraph\//i.test(pathname)) return "resourceGraph";
  if (first === "v1.0" || first === "beta") return "graph";
  if (first === "subscriptions" || first === "providers") return "arm";
  return "token";
}

function emptyCounts(): Record<ApiFamily, number> {
  return { resourceGraph: 0, arm: 0, graph: 0, token: 0, kubernetes: 0 };
}

/**
 * Lets the answer start (status, headers and the first half of its body) and
 * then drops the connection: a list page that breaks off half-way.
 */
function cutShort(req: IncomingMessage, res: ServerResponse): void {
  const write = res.write.bind(res) as (chunk: Buffer) => boolean;
  res.end = ((body?: unknown) => {
    const bytes = typeof body === "string" ? Buffer.from(body) : Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    setTimeout(() => resetConnection(req), 20);
    return res;
  }) as ServerResponse["end"];
}

/** Ends the connection with a TCP reset, as a dropped connection looks to a client. */
function resetConnection(req: IncomingMessage): void {
  // A TLS socket cannot send a RST itself; the TCP socket under it can.
  type Resettable = Socket & { resetAndDestroy?: () => void; _parent?: Resettable };
  const socket = req.socket as Resettable;
  const tcp = socket._parent ?? socket;
  try {
    if (typeof tcp.resetAndDestroy === "function") {
      tcp.resetAndDestroy();
      socket.destroy();
      return;
    }
  } catch {
    // fall through: a plain destroy still drops the connection
  }
  socket.destroy();
}

function internalError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, 500, { error: { code: "InternalServerError", message: `Fleet simulator bug: ${(error as Error).stack ?? String(error)}` } });
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    try {
      server.closeAllConnections();
      server.close(() => resolve());
    } catch {
      // A connection ended by an injected reset can linger in Node's connection list without its
      // socket, which makes http's close() throw before it stops listening: stop listening directly.
      NetServer.prototype.close.call(server, () => resolve());
    }
  });
}

/**
 * A private cluster's API server has only a private address: "the control
 * plane or API server has internal IP addresses", reached through a private
 * endpoint in the cluster's VNet, and its FQDN resolves to that address only
 * through the cluster's private DNS zone (learn.microsoft.com/azure/aks/private-clusters).
 * From outside that network nothing answers; the simulator's kubeconfig names
 * an address that refuses connections.
 */
function isPrivateCluster(cluster: ArmObject): boolean {
  return (cluster.properties?.apiServerAccessProfile as { enablePrivateCluster?: unknown } | undefined)?.enablePrivateCluster === true;
}

/** A port that was bound and released: connecting to it is refused, as to an unreachable API server. */
async function reserveRefusingPort(): Promise<number> {
  const server = createNetServer();
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
