/**
 * Serves the simulated Kubernetes API servers alone over HTTPS on loopback,
 * mounted at /clusters/<name> as the simulator core mounts them, for tests
 * that need nothing from Azure.
 */
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { FleetDescription } from "../../../simulator/fleet/model.js";
import { createKubernetesApi, type KubernetesApi, type KubernetesApiOptions } from "../../../simulator/kubernetes/index.js";
import { generateLoopbackTls } from "../../../simulator/tls.js";
import { createTokenSigner, type TokenSigner } from "../../../simulator/tokens.js";

export interface KubernetesTestServer {
  api: KubernetesApi;
  tokens: TokenSigner;
  /** Base64 of the CA certificate PEM, as a kubeconfig's certificate-authority-data. */
  caData: string;
  caPem: string;
  /** The API server address of one cluster. */
  serverUrl(cluster: string): string;
  /** Requests served so far, by cluster. */
  requests: Map<string, number>;
  close(): Promise<void>;
}

export async function serveKubernetes(fleet: FleetDescription, options: Partial<KubernetesApiOptions> = {}): Promise<KubernetesTestServer> {
  const tls = generateLoopbackTls();
  const tokens = options.tokens ?? createTokenSigner();
  const api = createKubernetesApi(fleet, { ...options, tokens });
  const requests = new Map<string, number>();
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const match = /^\/clusters\/([^/?]+)(.*)$/.exec(req.url ?? "");
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const cluster = decodeURIComponent(match[1] ?? "");
    requests.set(cluster, (requests.get(cluster) ?? 0) + 1);
    api.handle(req, res, cluster, match[2] || "/").catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    api,
    tokens,
    caPem: tls.caPem,
    caData: Buffer.from(tls.caPem).toString("base64"),
    serverUrl: (cluster) => `https://127.0.0.1:${port}/clusters/${encodeURIComponent(cluster)}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
