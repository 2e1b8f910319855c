/**
 * Shared test helpers for the fleet simulator: start it from a fleet
 * directory, build real Azure SDK clients pointed at it, and make raw HTTPS
 * requests that trust its CA.
 */
import { request } from "node:https";
import { fileURLToPath } from "node:url";
import { loadFleet, startSimulator, type Simulator, type SimulatorOptions } from "../../simulator/index.js";
import { createSimulatorClients } from "../../simulator/clients.js";
import type { AzureClients, RequestCounter } from "../../shared/azure/index.js";

export const MINI_FLEET_DIR = fileURLToPath(new URL("../fleets/mini", import.meta.url));

/** Starts a simulator on a fleet directory (default the mini fleet); close it in afterAll/afterEach. */
export async function startFleetSimulator(options: Partial<SimulatorOptions> & { fleetDir?: string } = {}): Promise<Simulator> {
  const { fleetDir, ...rest } = options;
  const fleet = rest.fleet ?? (await loadFleet(fleetDir ?? MINI_FLEET_DIR));
  return startSimulator({ ...rest, fleet });
}

/** The production client factory, pointed at the simulator, with a ClientSecretCredential against its token endpoint. */
export function clientsFor(sim: Simulator, options: { requestCounter?: RequestCounter; maxRetries?: number; requestTimeoutMs?: number } = {}): AzureClients {
  return createSimulatorClients(sim, options);
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}

/** One HTTPS request trusting the simulator's CA; the body is parsed when it is JSON. */
export function httpsRequest(
  sim: Pick<Simulator, "caPem">,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? "GET", headers: init.headers ?? {}, ca: sim.caPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = undefined;
        try {
          body = text === "" ? undefined : JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
      });
    });
    req.on("error", reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** A client-credential access token from the simulator's token endpoint, for raw requests. */
export async function accessToken(sim: Simulator, scope = "https://management.azure.com/.default"): Promise<string> {
  const response = await httpsRequest(sim, `${sim.authorityHost}/${sim.tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: sim.scanner.clientId, client_secret: sim.scanner.clientSecret, scope }).toString(),
  });
  const token = (response.body as { access_token?: string } | undefined)?.access_token;
  if (!token) throw new Error(`No token: ${response.text}`);
  return token;
}
