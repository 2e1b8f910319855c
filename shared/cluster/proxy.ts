/**
 * Which HTTP proxy, if any, carries a request of the scanner's own (Kubernetes
 * API servers, the probe's token exchange): the same environment variables and
 * NO_PROXY rules the Azure SDK applies to ARM and Entra, so that behind a
 * corporate proxy the clusters are reached the way Azure is.
 *
 * The Azure SDK's rules (@typespec/ts-http-runtime 0.x, which
 * @azure/core-rest-pipeline 1.24's proxyPolicy delegates to:
 * `dist/esm/policies/proxyPolicy.js`, `loadEnvironmentProxyValue`,
 * `loadNoProxy`, `isBypassed`, a port of Azure.Core's HttpEnvironmentProxy):
 * - the proxy is HTTPS_PROXY, else ALL_PROXY, else HTTP_PROXY, each read
 *   upper case first, then lower case;
 * - NO_PROXY is split on commas and trimmed; an entry `.example.com` bypasses
 *   `example.com` and every host under it, any other entry bypasses exactly
 *   that host name.
 * What the SDK leaves out and curl, Go and kubectl honour, added here (each
 * only bypasses more, never proxies what the SDK would bypass): `*` bypasses
 * every host; `*.example.com` is read as `.example.com`; `host:port` bypasses
 * that host on that port only; entries are compared case-insensitively and
 * an IPv6 entry may carry brackets.
 *
 * A kubeconfig cluster's `proxy-url` wins for that cluster, as in kubectl
 * (client-go rest.Config.Proxy): the environment and NO_PROXY are not read.
 */
import type { SecureContext } from "node:tls";
import { HttpsProxyAgent, type HttpsProxyAgentOptions } from "https-proxy-agent";

export type Environment = Record<string, string | undefined>;

/** The value of an environment variable as the Azure SDK reads it: NAME, else name. */
function environmentValue(env: Environment, name: string): string | undefined {
  return env[name] || env[name.toLowerCase()] || undefined;
}

/** The proxy the environment names for HTTPS requests, as the Azure SDK chooses it. */
export function environmentProxy(env: Environment = process.env): string | undefined {
  return environmentValue(env, "HTTPS_PROXY") ?? environmentValue(env, "ALL_PROXY") ?? environmentValue(env, "HTTP_PROXY");
}

/** The NO_PROXY entries, split and trimmed as the Azure SDK does. */
export function noProxyList(env: Environment = process.env): string[] {
  const value = environmentValue(env, "NO_PROXY");
  return value === undefined
    ? []
    : value
        .split(",")
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0);
}

function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/** The port a URL goes to, its scheme's default when it names none. */
function portOf(url: URL): string {
  if (url.port !== "") return url.port;
  return url.protocol === "http:" ? "80" : "443";
}

/** True when a NO_PROXY list says `target` is reached directly. */
export function bypassesProxy(target: URL, noProxy: readonly string[]): boolean {
  const host = stripBrackets(target.hostname.toLowerCase());
  const port = portOf(target);
  return noProxy.some((raw) => {
    let entry = raw.toLowerCase();
    if (entry === "*") return true;
    // A port: `host:port`, `[v6]:port`; a bare IPv6 address has several colons and no brackets.
    const portMatch = /^(.*[^:]|\[.*\]):(\d+)$/.exec(entry);
    if (portMatch && (entry.startsWith("[") || entry.split(":").length === 2)) {
      if (portMatch[2] !== port) return false;
      entry = portMatch[1] ?? "";
    }
    entry = stripBrackets(entry);
    if (entry.startsWith("*.")) entry = entry.slice(1);
    if (entry.startsWith(".")) return host.endsWith(entry) || host === entry.slice(1);
    return host === entry;
  });
}

/**
 * The proxy for one request to `target`: the kubeconfig's `proxy-url` when
 * given, else the environment's unless NO_PROXY bypasses the target.
 * Undefined: connect directly.
 */
export function proxyFor(target: URL, options: { proxyUrl?: string | undefined; env?: Environment } = {}): URL | undefined {
  if (options.proxyUrl !== undefined && options.proxyUrl !== "") return parseProxyUrl(options.proxyUrl);
  const env = options.env ?? process.env;
  const proxy = environmentProxy(env);
  if (proxy === undefined || bypassesProxy(target, noProxyList(env))) return undefined;
  return parseProxyUrl(proxy);
}

/** A proxy address; `host:port` without a scheme means http://, as curl and the Go runtime read it. */
export function parseProxyUrl(value: string): URL {
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`proxy ${url.protocol}// is not supported: only http:// and https:// proxies (HTTP CONNECT)`);
  }
  return url;
}

/**
 * An agent that tunnels HTTPS through a proxy with CONNECT and verifies the
 * server behind the tunnel with `targetContext` (the cluster's CA and the
 * client certificate), not the proxy connection: an https:// proxy is
 * verified with the system roots.
 */
export class TunnellingAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: URL,
    private readonly targetContext: SecureContext | undefined,
    options: HttpsProxyAgentOptions<string> = {},
  ) {
    super(proxy.href, options);
  }

  override connect(...[req, opts]: Parameters<HttpsProxyAgent<string>["connect"]>): ReturnType<HttpsProxyAgent<string>["connect"]> {
    // Only the tunnel's TLS (secureEndpoint) takes the context; the proxy connection was made with the constructor's options.
    return super.connect(req, this.targetContext === undefined || !opts.secureEndpoint ? opts : { ...opts, secureContext: this.targetContext });
  }
}

/** The proxy's address without its credentials, for messages. */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}
