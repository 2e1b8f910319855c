/**
 * Issue 17 point 6: Kubernetes requests and the probe's token exchange go
 * through a corporate proxy the way the Azure SDK does (HTTPS_PROXY, NO_PROXY,
 * a kubeconfig's proxy-url), proved through a loopback CONNECT proxy.
 */
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { collectClusterSnapshot, resolveClusterAccess, type ClusterAccess } from "../../shared/cluster/index.js";
import { bypassesProxy, environmentProxy, noProxyList, parseProxyUrl, proxyFor } from "../../shared/cluster/proxy.js";
import { exchangeServiceAccountToken } from "../../shared/probe/token-exchange.js";
import type { AksCluster } from "../../shared/inventory/model.js";
import type { Simulator } from "../../simulator/index.js";
import { generateLoopbackTls } from "../../simulator/tls.js";
import { MINI_FLEET_CLUSTERS, MINI_FLEET_DIR } from "../simulator/kubernetes/fleets.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";

const NOW = new Date("2026-11-29T12:00:00Z");

describe("which proxy a request takes", () => {
  const target = (url: string) => new URL(url);

  it("reads HTTPS_PROXY, then ALL_PROXY, then HTTP_PROXY, upper case before lower case, as the Azure SDK does", () => {
    expect(environmentProxy({})).toBeUndefined();
    expect(environmentProxy({ https_proxy: "http://lower:1" })).toBe("http://lower:1");
    expect(environmentProxy({ HTTPS_PROXY: "http://upper:1", https_proxy: "http://lower:1" })).toBe("http://upper:1");
    expect(environmentProxy({ HTTP_PROXY: "http://plain:1", ALL_PROXY: "http://all:1" })).toBe("http://all:1");
    expect(environmentProxy({ HTTP_PROXY: "http://plain:1" })).toBe("http://plain:1");
    expect(noProxyList({ no_proxy: " a.example , ,.b.example " })).toEqual(["a.example", ".b.example"]);
  });

  it("bypasses the hosts NO_PROXY names: the SDK's exact names and leading-dot suffixes, plus *, *.suffix and host:port", () => {
    const aks = target("https://payments-dns-1a2b.hcp.westeurope.azmk8s.io:443");
    expect(bypassesProxy(aks, [".azmk8s.io"])).toBe(true);
    expect(bypassesProxy(target("https://azmk8s.io"), [".azmk8s.io"])).toBe(true);
    expect(bypassesProxy(aks, ["*.azmk8s.io"])).toBe(true);
    expect(bypassesProxy(aks, ["azmk8s.io"])).toBe(false); // the SDK: an entry without a dot is one host
    expect(bypassesProxy(aks, ["PAYMENTS-dns-1a2b.hcp.westeurope.azmk8s.io"])).toBe(true);
    expect(bypassesProxy(aks, ["*"])).toBe(true);
    expect(bypassesProxy(aks, ["payments-dns-1a2b.hcp.westeurope.azmk8s.io:443"])).toBe(true);
    expect(bypassesProxy(target("https://payments-dns-1a2b.hcp.westeurope.azmk8s.io"), [".azmk8s.io:443"])).toBe(true);
    expect(bypassesProxy(aks, [".azmk8s.io:6443"])).toBe(false);
    expect(bypassesProxy(target("https://[::1]:6443"), ["::1"])).toBe(true);
    expect(bypassesProxy(target("https://[::1]:6443"), ["[::1]:6443"])).toBe(true);
    expect(bypassesProxy(target("https://[::1]:6443"), ["[::1]:443"])).toBe(false);
    expect(bypassesProxy(aks, [])).toBe(false);
  });

  it("lets a kubeconfig's proxy-url win over the environment and NO_PROXY, as kubectl does", () => {
    const server = target("https://api.example:443");
    expect(proxyFor(server, { env: { HTTPS_PROXY: "http://corp:3128" } })?.href).toBe("http://corp:3128/");
    expect(proxyFor(server, { env: { HTTPS_PROXY: "http://corp:3128", NO_PROXY: ".example" } })).toBeUndefined();
    expect(proxyFor(server, { proxyUrl: "http://cluster-proxy:8080", env: { HTTPS_PROXY: "http://corp:3128", NO_PROXY: "*" } })?.href).toBe("http://cluster-proxy:8080/");
    expect(proxyFor(server, { env: { HTTPS_PROXY: "corp:3128" } })?.href).toBe("http://corp:3128/");
    expect(() => parseProxyUrl("socks5://corp:1080")).toThrow(/not supported/);
  });
});

/** A CONNECT proxy on loopback that counts the tunnels it opens and the authorities they go to. */
interface LoopbackProxy {
  url: string;
  connects: string[];
  close(): Promise<void>;
}

async function startConnectProxy(): Promise<LoopbackProxy> {
  const connects: string[] = [];
  const tunnels = new Set<Duplex>();
  const server: Server = createServer((_req, res) => {
    res.writeHead(405);
    res.end("CONNECT only");
  });
  server.on("connect", (req, client, head) => {
    connects.push(req.url ?? "");
    tunnels.add(client);
    client.on("close", () => tunnels.delete(client));
    const { hostname, port } = new URL(`http://${req.url ?? ""}`);
    const upstream = connect(Number(port), hostname.replace(/^\[|\]$/g, ""), () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.on("close", () => tunnels.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connects,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        // Tunnels left the HTTP server when they were upgraded: it does not close them.
        for (const socket of tunnels) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"];
const savedEnvironment = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]));

function setProxyEnvironment(values: Record<string, string>): void {
  for (const name of PROXY_VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
}

describe("a scan behind a corporate proxy", () => {
  let sim: Simulator;
  let proxy: LoopbackProxy;
  const cluster: AksCluster = MINI_FLEET_CLUSTERS.shop;
  let access: ClusterAccess;

  beforeAll(async () => {
    setProxyEnvironment({});
    sim = await startFleetSimulator({ fleetDir: MINI_FLEET_DIR });
    proxy = await startConnectProxy();
    // ARM is reached directly here: the proxy under test carries the Kubernetes and Entra requests only.
    const clients = clientsFor(sim);
    const result = await resolveClusterAccess(cluster, { containerService: clients.containerService(cluster.subscriptionId), credential: clients.credential });
    if (!result.ok) throw new Error(`no access: ${result.error.message}`);
    access = result.access;
  });

  afterEach(() => {
    setProxyEnvironment({});
    proxy.connects.length = 0;
  });

  afterAll(async () => {
    for (const [name, value] of Object.entries(savedEnvironment)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await proxy.close();
    await sim.close();
  });

  it("reads the cluster through the proxy named by HTTPS_PROXY, with one tunnel per pooled connection", async () => {
    setProxyEnvironment({ HTTPS_PROXY: proxy.url });
    const snapshot = await collectClusterSnapshot(cluster, access, { now: NOW });

    expect(snapshot.errors).toEqual([]);
    expect(snapshot.pods.length).toBeGreaterThan(0);
    const server = new URL(access.server);
    expect(proxy.connects.length).toBeGreaterThan(0);
    expect(new Set(proxy.connects)).toEqual(new Set([`${server.hostname}:${server.port}`]));
    // Keep-alive survives the tunnel: far fewer CONNECTs than requests.
    expect(proxy.connects.length).toBeLessThan(snapshot.stats.requests);
  });

  it("reads the lower-case https_proxy too", async () => {
    setProxyEnvironment({ https_proxy: proxy.url });
    const snapshot = await collectClusterSnapshot(cluster, access, { now: NOW });
    expect(snapshot.errors).toEqual([]);
    expect(proxy.connects.length).toBeGreaterThan(0);
  });

  it("goes straight to an API server NO_PROXY names", async () => {
    const server = new URL(access.server);
    for (const noProxy of [server.hostname, `${server.hostname}:${server.port}`, "*"]) {
      setProxyEnvironment({ HTTPS_PROXY: proxy.url, no_proxy: `corp.example, ${noProxy}` });
      const snapshot = await collectClusterSnapshot(cluster, access, { now: NOW });
      expect(snapshot.errors).toEqual([]);
      expect(snapshot.pods.length).toBeGreaterThan(0);
    }
    expect(proxy.connects).toEqual([]);
  });

  it("takes the kubeconfig's proxy-url for its cluster even when the environment says to go direct", async () => {
    setProxyEnvironment({ NO_PROXY: "*" });
    const snapshot = await collectClusterSnapshot(cluster, { ...access, proxyUrl: proxy.url }, { now: NOW });
    expect(snapshot.errors).toEqual([]);
    expect(proxy.connects.length).toBeGreaterThan(0);
  });

  it("still verifies the cluster's CA inside the tunnel", async () => {
    setProxyEnvironment({ HTTPS_PROXY: proxy.url });
    const otherCa = Buffer.from(generateLoopbackTls().caPem).toString("base64");
    const snapshot = await collectClusterSnapshot(cluster, { ...access, caData: otherCa }, { now: NOW });
    expect(proxy.connects.length).toBeGreaterThan(0);
    expect(snapshot.pods).toEqual([]);
    expect(snapshot.errors.length).toBeGreaterThan(0);
    expect(snapshot.errors.map((error) => error.message).join("\n")).toMatch(/certificate|self.signed|issuer/i);
  });

  it("fails the cluster's requests, saying why, when its proxy-url is one the scanner cannot use", async () => {
    const snapshot = await collectClusterSnapshot(cluster, { ...access, proxyUrl: "socks5://127.0.0.1:1080" }, { now: NOW });
    expect(snapshot.pods).toEqual([]);
    expect(snapshot.errors.map((error) => error.message).join("\n")).toMatch(/proxy/);
  });

  it("sends the probe's token exchange through the proxy, verifying Entra's certificate inside the tunnel, unless NO_PROXY names Entra", async () => {
    const exchange = {
      authorityHost: sim.authorityHost,
      tenantId: sim.tenantId,
      clientId: "00000000-0000-0000-0000-000000000001",
      assertion: "not-a-service-account-token",
      tlsCa: sim.caPem,
      timeoutMs: 10_000,
    };
    setProxyEnvironment({ HTTPS_PROXY: proxy.url });
    const viaProxy = await exchangeServiceAccountToken(exchange);
    // Entra (the simulator's) answered: an OAuth error for the made-up assertion, not a transport error.
    expect(viaProxy.outcome).toBe("failed");
    const authority = new URL(sim.authorityHost);
    expect(proxy.connects).toEqual([`${authority.hostname}:${authority.port}`]);

    const wrongCa = await exchangeServiceAccountToken({ ...exchange, tlsCa: generateLoopbackTls().caPem });
    expect(wrongCa.outcome).toBe("error");
    expect(proxy.connects).toHaveLength(2);

    setProxyEnvironment({ HTTPS_PROXY: proxy.url, NO_PROXY: authority.hostname });
    const direct = await exchangeServiceAccountToken(exchange);
    expect(direct.outcome).toBe("failed");
    expect(proxy.connects).toHaveLength(2);
  });
});
