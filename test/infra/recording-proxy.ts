/**
 * A transparent HTTPS proxy in front of the simulator's Kubernetes side that
 * writes down every request (method and path) before forwarding it unchanged.
 * It lets the permission test see exactly what the real collector asks an API
 * server for, without touching the collector or the simulator.
 */
import { createServer, request, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { generateLoopbackTls } from "../../simulator/tls.js";

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent by the client. */
  url: string;
}

export interface RecordingProxy {
  /** https://127.0.0.1:PORT, standing in for the upstream origin. */
  origin: string;
  /** Base64 PEM of the proxy's CA, as a kubeconfig's certificate-authority-data. */
  caData: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a proxy that forwards to `upstreamOrigin` (https), trusting `upstreamCaPem`. */
export async function startRecordingProxy(upstreamOrigin: string, upstreamCaPem: string): Promise<RecordingProxy> {
  const tls = generateLoopbackTls();
  const requests: RecordedRequest[] = [];
  const upstream = new URL(upstreamOrigin);

  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const url = req.url ?? "/";
    requests.push({ method: (req.method ?? "GET").toUpperCase(), url });
    const forward = request(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: url,
        headers: { ...req.headers, host: upstream.host },
        ca: upstreamCaPem,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", (error) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`recording proxy: ${error.message}`);
    });
    req.pipe(forward);
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://127.0.0.1:${port}`,
    caData: Buffer.from(tls.caPem).toString("base64"),
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
