/**
 * What the benchmark's three processes tell each other over IPC: the parent
 * asks a simulator child for a fleet and a scanner child for a scan; each
 * answers with one message. Secrets in the connection (the simulated
 * scanner's client secret) are the simulator's own throwaway values.
 */
import type { FaultsConfig } from "../simulator/faults.js";
import type { SimulatorConnection } from "../simulator/clients.js";

export const REQUEST_KINDS = ["resourceGraph", "arm", "graph", "kubernetes", "token"] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export interface FleetSpec {
  clusters: number;
  subscriptions: number;
  seed: number;
  /** A fleet of one cluster with this many pods instead of `clusters` ordinary ones. */
  giantClusterPods?: number;
  /** Service accounts per cluster (generator default 30). */
  serviceAccountsPerCluster?: number;
  /** The scanner's page size, to count the pod pages a scan must read. */
  pageSize: number;
  latencyMs: number;
  faults: FaultsConfig;
}

/** What the fleet holds, to compute the pages a scan must read. */
export interface FleetFacts {
  clusters: number;
  subscriptions: number;
  identities: number;
  federatedCredentials: number;
  roleAssignments: number;
  serviceAccounts: number;
  pods: number;
  injectedMisconfigurations: number;
  /** Pages of pods at the scanner's page size, summed over clusters. */
  podPages: number;
}

/** Response bodies of one cluster, as the scanner would read them: the parse-rate sample. */
export interface ParseSample {
  path: string;
  body: string;
}

export type SimulatorChildMessage =
  | { type: "ready"; connection: SimulatorConnection; kubernetesEndpoint: string; facts: FleetFacts; samples: ParseSample[]; generateMs: number; rssBytes: number }
  | { type: "closed"; cpuMs: number; requests: Record<string, number> }
  | { type: "error"; message: string };

export type ParentToSimulatorMessage = { type: "start"; spec: FleetSpec } | { type: "close" };

export interface ScanJob {
  connection: SimulatorConnection;
  kubernetesEndpoint: string;
  /** Clusters scanned at once. */
  concurrency: number;
  /** Requests in flight per cluster API server. */
  kubernetesConcurrency: number;
  /** Federated-credential and Graph reads in flight during the inventory. */
  inventoryConcurrency: number;
  /** Items per Kubernetes list page. */
  pageSize: number;
}

export interface KindTally {
  /** Responses received (every attempt). */
  requests: number;
  /** Responses that make a client try again: 429 and 5xx. */
  retries: number;
  /** Response body bytes (content-length). */
  bytes: number;
  /** Requests that opened a new TCP + TLS connection. */
  connections: number;
}

export interface ScanMeasurement {
  wallMs: number;
  inventoryMs: number;
  /** Scanner CPU (user + system) spent by the end of the inventory. */
  inventoryCpuMs?: number;
  requests: Record<RequestKind, KindTally>;
  /** Requests that needed a new TCP + TLS connection. */
  newConnections: number;
  /** ARM GETs (the requests ARM's read quota counts). */
  armReads: number;
  /** Kubernetes list requests for pods (one per page). */
  podPages: number;
  /** Log reads (pods/log). */
  logReads: number;
  findings: number;
  clusters: number;
  clustersScanned: number;
  checkFailures: number;
  peakRssBytes: number;
  /** Largest V8 heap in use and largest memory outside it (Buffers, TLS) seen by the 50 ms sampler: what the RSS is made of. */
  peakHeapUsedBytes?: number;
  peakExternalBytes?: number;
  cpuUserMs: number;
  cpuSystemMs: number;
}

export type ScannerChildMessage = { type: "done"; measurement: ScanMeasurement } | { type: "error"; message: string };
