/**
 * The Azure clients the engine uses, built once per scan and passed in:
 * real SDK clients (Resource Graph, Container Service, Managed Service
 * Identity) and a small Microsoft Graph client, all with the same credential,
 * a request counter per API family and, for the fleet simulator only, a CA to
 * trust.
 *
 * @example
 * const clients = createAzureClients({ credential: new DefaultAzureCredential() });
 */
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import type { TokenCredential } from "@azure/core-auth";
import { createGraphClient, type GraphClient } from "./graph-client.js";
import { RequestCounter } from "./request-counter.js";
import { DEFAULT_AZURE_REQUEST_TIMEOUT_MS, requestTimeoutPolicy } from "./request-timeout.js";
import { cloudEndpoints, defaultScope, type AzureCloud, type CloudEndpoints } from "./clouds.js";

export { createGraphClient, GraphRequestError, GRAPH_SCOPE, type GraphClient, type GraphClientOptions } from "./graph-client.js";
export { RequestCounter, type RequestFamily } from "./request-counter.js";
export { requestTimeoutPolicy, DEFAULT_AZURE_REQUEST_TIMEOUT_MS } from "./request-timeout.js";

export const ARM_SCOPE = "https://management.azure.com/.default";
export { AZURE_CLOUDS, cloudEndpoints, defaultScope, type AzureCloud, type CloudEndpoints } from "./clouds.js";

export interface AzureClientOptions {
  credential: TokenCredential;
  /** The cloud whose ARM and Graph to use, with their own token scopes (AZURE_CLOUD); default the public cloud. */
  cloud?: AzureCloud;
  /** Default https://management.azure.com. */
  armEndpoint?: string;
  /** Default https://graph.microsoft.com. */
  graphEndpoint?: string;
  /** PEM of a CA to trust instead of the public ones: only for the fleet simulator. */
  tlsCa?: string;
  /** Counts requests per API family; a fresh counter when absent. */
  requestCounter?: RequestCounter;
  /** Retries after 429 or 5xx per request (default 3, the Azure SDK's). */
  maxRetries?: number;
  /** Time one attempt may take before it is abandoned and retried (default 60 s). */
  requestTimeoutMs?: number;
}

export interface AzureClients {
  credential: TokenCredential;
  armEndpoint: string;
  /** The scope of ARM tokens in this cloud (also the audience the live probe asks for). */
  armScope: string;
  /** The cloud the clients talk to (its Entra authority host serves the live probe). */
  cloud: CloudEndpoints;
  graphEndpoint: string;
  resourceGraph: ResourceGraphClient;
  /** One Container Service client per subscription, created on first use. */
  containerService(subscriptionId: string): ContainerServiceClient;
  /** One Managed Service Identity client per subscription, created on first use. */
  managedIdentity(subscriptionId: string): ManagedServiceIdentityClient;
  graph: GraphClient;
  requestCounter: RequestCounter;
  /** TLS settings the clients use (the simulator's CA), for other clients built alike (Kubernetes). */
  tlsCa?: string;
}

export function createAzureClients(options: AzureClientOptions): AzureClients {
  const cloud = cloudEndpoints(options.cloud);
  const armEndpoint = (options.armEndpoint ?? cloud.armEndpoint).replace(/\/+$/, "");
  const graphEndpoint = (options.graphEndpoint ?? cloud.graphEndpoint).replace(/\/+$/, "");
  // Scopes follow the cloud, never an overridden endpoint: the simulator stands in for the public cloud's ARM and Graph.
  const armScope = defaultScope(cloud.armEndpoint);
  const graphScope = defaultScope(cloud.graphEndpoint);
  const counter = options.requestCounter ?? new RequestCounter();
  const tlsOptions = options.tlsCa !== undefined ? { tlsOptions: { ca: options.tlsCa } } : {};
  const retryOptions = { retryOptions: { maxRetries: options.maxRetries ?? 3 } };
  const timeout = requestTimeoutPolicy(options.requestTimeoutMs ?? DEFAULT_AZURE_REQUEST_TIMEOUT_MS);
  const armPolicies = (family: "resourceGraph" | "arm") => ({
    additionalPolicies: [
      { policy: counter.policy(family), position: "perRetry" as const },
      { policy: timeout, position: "perRetry" as const },
    ],
  });
  // The ARM scope is the cloud's even when the endpoint is overridden: the SDKs
  // would otherwise ask for "<endpoint>/.default" (see NODE-DEPENDENCIES.md).
  const modernArmOptions = (family: "resourceGraph" | "arm") => ({
    endpoint: armEndpoint,
    credentials: { scopes: [armScope] },
    ...tlsOptions,
    ...retryOptions,
    ...armPolicies(family),
  });

  const containerServices = new Map<string, ContainerServiceClient>();
  const managedIdentities = new Map<string, ManagedServiceIdentityClient>();

  return {
    credential: options.credential,
    armEndpoint,
    armScope,
    cloud,
    graphEndpoint,
    resourceGraph: new ResourceGraphClient(options.credential, modernArmOptions("resourceGraph")),
    containerService(subscriptionId) {
      let client = containerServices.get(subscriptionId);
      if (!client) {
        client = new ContainerServiceClient(options.credential, subscriptionId, modernArmOptions("arm"));
        containerServices.set(subscriptionId, client);
      }
      return client;
    },
    managedIdentity(subscriptionId) {
      let client = managedIdentities.get(subscriptionId);
      if (!client) {
        client = new ManagedServiceIdentityClient(options.credential, subscriptionId, {
          endpoint: armEndpoint,
          credentialScopes: [armScope],
          ...tlsOptions,
          ...retryOptions,
          ...armPolicies("arm"),
        });
        managedIdentities.set(subscriptionId, client);
      }
      return client;
    },
    graph: createGraphClient({
      credential: options.credential,
      endpoint: graphEndpoint,
      scope: graphScope,
      ...(options.tlsCa !== undefined && { tlsOptions: { ca: options.tlsCa } }),
      ...(options.maxRetries !== undefined && { maxRetries: options.maxRetries }),
      additionalPolicies: [
        { policy: counter.policy("graph"), position: "perRetry" },
        { policy: timeout, position: "perRetry" },
      ],
    }),
    requestCounter: counter,
    ...(options.tlsCa !== undefined && { tlsCa: options.tlsCa }),
  };
}
