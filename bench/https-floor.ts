/**
 * What one HTTPS request costs the client's CPU on this machine, with Node
 * alone: no SDK, no parsing, a server in another process. It is the floor
 * under the scanner's CPU per cluster (docs/benchmarks.md, "The floor"):
 *
 *   npm run build && node dist/bench/https-floor.js
 */
import { fork } from "node:child_process";
import { Agent, createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import { createSecureContext } from "node:tls";
import { fileURLToPath } from "node:url";
import { generateLoopbackTls, type LoopbackTls } from "../simulator/tls.js";

const SMALL_BODY_BYTES = 1_000;
/** One cluster's pod page in the benchmark fleets. */
const PAGE_BODY_BYTES = 570_000;
/** An Entra access token is about this long. */
const AUTHORIZATION = `Bearer ${"x".repeat(1_500)}`;

if (process.argv[2] === "server") {
  process.once("message", (tls: LoopbackTls) => {
    const bodies = new Map([
      ["/small", Buffer.alloc(SMALL_BODY_BYTES, "a")],
      ["/page", Buffer.alloc(PAGE_BODY_BYTES, "a")],
    ]);
    const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      const body = bodies.get(req.url ?? "") ?? Buffer.alloc(0);
      res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
      res.end(body);
    });
    server.listen(0, "127.0.0.1", () => process.send?.((server.address() as AddressInfo).port));
  });
} else {
  await main();
}

async function main(): Promise<void> {
  const tls = generateLoopbackTls();
  const server = fork(fileURLToPath(import.meta.url), ["server"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve) => {
    server.once("message", (message) => resolve(message as number));
    server.send(tls);
  });
  const secureContext = createSecureContext({ ca: tls.caPem });
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 4, secureContext });
  const cases: Array<[string, string, number, () => Agent]> = [
    ["keep-alive connection, 1 kB answer", "/small", 4_000, () => keepAlive],
    ["keep-alive connection, 570 kB answer", "/page", 400, () => keepAlive],
    ["new TLS connection per request, 1 kB answer", "/small", 800, () => new Agent({ keepAlive: false, secureContext })],
    ["  ... and a new TLS context (CA parsed) for it", "/small", 800, () => new Agent({ keepAlive: false, secureContext: createSecureContext({ ca: tls.caPem }) })],
  ];
  console.log(`client CPU per request (user + system), server in its own process, 4 in flight`);
  for (const [name, path, count, agent] of cases) {
    await run(port, path, 200, agent); // warm up
    const before = process.cpuUsage();
    await run(port, path, count, agent);
    const cpu = process.cpuUsage(before);
    console.log(`  ${name.padEnd(46)} ${Math.round((cpu.user + cpu.system) / count)} µs`);
  }
  keepAlive.destroy();
  server.kill();
}

async function run(port: number, path: string, count: number, agent: () => Agent): Promise<void> {
  let started = 0;
  const worker = async () => {
    while (started++ < count) await get(port, path, agent());
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

function get(port: number, path: string, agent: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: "127.0.0.1", servername: "localhost", port, path, agent, headers: { authorization: AUTHORIZATION } }, (response) => {
      response.on("data", () => undefined);
      response.on("end", resolve);
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}
