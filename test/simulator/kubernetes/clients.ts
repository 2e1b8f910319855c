/**
 * Test clients for the simulated API servers: @kubernetes/client-node with an
 * in-memory kubeconfig, and a raw HTTPS GET for wire-level assertions.
 */
import { request } from "node:https";
import { KubeConfig } from "@kubernetes/client-node";
import type { KubernetesTestServer } from "./serve-kubernetes.js";

export function kubeConfigFor(server: KubernetesTestServer, cluster: string, token: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: cluster, server: server.serverUrl(cluster), caData: server.caData, skipTLSVerify: false }],
    users: [{ name: "tester", token }],
    contexts: [{ name: cluster, cluster, user: "tester" }],
    currentContext: cluster,
  });
  return kubeConfig;
}

export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export function rawRequest(
  server: KubernetesTestServer,
  cluster: string,
  path: string,
  options: { token?: string; accept?: string; method?: string; body?: string } = {},
): Promise<RawResponse> {
  const url = new URL(server.serverUrl(cluster) + path);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? "GET",
        ca: server.caPem,
        headers: {
          ...(options.token !== undefined && { authorization: `Bearer ${options.token}` }),
          ...(options.accept !== undefined && { accept: options.accept }),
          ...(options.body !== undefined && { "content-type": "application/json" }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? ""), text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}
