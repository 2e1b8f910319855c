/**
 * A loopback HTTP proxy in front of Azurite that lets the first N transaction
 * requests through and then drops the connection of every later one, like a
 * process dying or a network failing between two batches. The store under
 * test talks to it through the real SDK, unaware.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CuttingProxy {
  connectionString: string;
  /** Transactions that reached Azurite. */
  passed(): number;
  close(): Promise<void>;
}

export async function startCuttingProxy(targetConnectionString: string, allowedTransactions: number): Promise<CuttingProxy> {
  const target = new URL(/TableEndpoint=([^;]+)/.exec(targetConnectionString)![1]!);
  let passed = 0;
  const server: Server = createServer((req, res) => {
    if (req.method === "POST" && req.url?.includes("$batch")) {
      if (passed >= allowedTransactions) {
        req.socket.destroy();
        return;
      }
      passed++;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const connectionString = targetConnectionString.replace(/TableEndpoint=http:\/\/[^/]+/, `TableEndpoint=http://127.0.0.1:${port}`);
  return {
    connectionString,
    passed: () => passed,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
