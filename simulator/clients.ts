/**
 * Azure clients pointed at a running fleet simulator, for the demo and the
 * benchmarks (tests use test/support/simulator.ts, which builds on this).
 * The credential is @azure/identity's ClientSecretCredential talking to the
 * simulator's token endpoint, trusting the simulator's CA per client.
 */
import { ClientSecretCredential } from "@azure/identity";
import type { TokenCredential } from "@azure/core-auth";
import { createAzureClients, type AzureClients, type RequestCounter } from "../shared/azure/index.js";
import type { ScannerPrincipal } from "./azure/token.js";

/** What a client needs to reach a simulator, in this process or another. */
export interface SimulatorConnection {
  armEndpoint: string;
  graphEndpoint: string;
  authorityHost: string;
  caPem: string;
  tenantId: string;
  scanner: ScannerPrincipal;
}

/** A credential that gets real client-credential tokens from the simulator's Entra endpoint. */
export function simulatorCredential(sim: SimulatorConnection): TokenCredential {
  return new ClientSecretCredential(sim.tenantId, sim.scanner.clientId, sim.scanner.clientSecret, {
    authorityHost: sim.authorityHost,
    // Instance discovery would ask login.microsoftonline.com whether the authority is known.
    disableInstanceDiscovery: true,
    // Clusters of other tenants ask for tokens there (aadProfile.tenantID), as the scanner does in Azure.
    additionallyAllowedTenants: ["*"],
    tlsOptions: { ca: sim.caPem },
  });
}

export function createSimulatorClients(sim: SimulatorConnection, options: { requestCounter?: RequestCounter; maxRetries?: number; requestTimeoutMs?: number } = {}): AzureClients {
  return createAzureClients({
    credential: simulatorCredential(sim),
    armEndpoint: sim.armEndpoint,
    graphEndpoint: sim.graphEndpoint,
    tlsCa: sim.caPem,
    ...options,
  });
}
