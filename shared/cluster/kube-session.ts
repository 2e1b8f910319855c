/**
 * The scanner's connection to one API server: @kubernetes/client-node clients
 * built from an in-memory KubeConfig (no file, no token in it: a custom
 * authenticator asks the ClusterAccess for a token per request), with a
 * per-request timeout, a request counter, a small concurrency limit and a
 * couple of retries for throttling and transient server errors.
 */
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  createConfiguration,
  KubeConfig,
  ServerConfiguration,
  type Middleware,
  type RequestContext,
  type ResponseContext,
} from "@kubernetes/client-node";
import pLimit from "p-limit";
import type { ClusterAccess } from "./access.js";
import { kubernetesError, type RequestTarget } from "./errors.js";
import type { CollectionError } from "./model.js";

export interface KubeSessionOptions {
  requestTimeoutMs: number;
  /** Requests in flight at once against this API server. */
  concurrency: number;
  /** Retries after 429 / 5xx (with Retry-After, capped). */
  retries: number;
}

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: CollectionError };

const AUTH_PROVIDER_NAME = "wiscan-scanner";
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
const MAX_RETRY_DELAY_MS = 5_000;

export class KubeSession {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly batch: BatchV1Api;
  readonly admission: AdmissionregistrationV1Api;
  /** HTTP requests sent, retries included. */
  requests = 0;
  /** True once any request got an HTTP answer: the API server is reachable. */
  reached = false;
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(
    access: ClusterAccess,
    private readonly options: KubeSessionOptions,
  ) {
    this.limit = pLimit(options.concurrency);
    const kubeConfig = inMemoryKubeConfig(access);
    const session = this;
    const middleware: Middleware = {
      async pre(context: RequestContext) {
        session.requests += 1;
        context.setSignal(AbortSignal.timeout(options.requestTimeoutMs));
        return context;
      },
      async post(context: ResponseContext) {
        session.reached = true;
        return context;
      },
    };
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(access.server.replace(/\/+$/, ""), {}),
      authMethods: { default: kubeConfig },
      promiseMiddleware: [middleware],
    });
    this.core = new CoreV1Api(configuration);
    this.apps = new AppsV1Api(configuration);
    this.batch = new BatchV1Api(configuration);
    this.admission = new AdmissionregistrationV1Api(configuration);
  }

  /** Runs one API call within the concurrency limit; failures come back typed, never thrown. */
  async call<T>(target: RequestTarget, request: () => Promise<T>): Promise<CallResult<T>> {
    for (let attempt = 0; ; attempt++) {
      let failure: unknown;
      try {
        return { ok: true, value: await this.limit(request) };
      } catch (error) {
        failure = error;
      }
      const error = kubernetesError(failure, target);
      if (attempt >= this.options.retries || error.httpStatus === undefined || !RETRYABLE_STATUSES.has(error.httpStatus)) {
        return { ok: false, error };
      }
      await sleep(retryDelayMs(failure, attempt));
    }
  }
}

function inMemoryKubeConfig(access: ClusterAccess): KubeConfig {
  const kubeConfig = new KubeConfig();
  const certificate = access.clientCertificate?.();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "cluster", server: access.server, skipTLSVerify: false, ...(access.caData && { caData: access.caData }) }],
    users: [
      {
        name: "scanner",
        ...(access.bearerToken && { authProvider: { name: AUTH_PROVIDER_NAME, config: {} } }),
        ...(certificate && { certData: certificate.certData, keyData: certificate.keyData }),
      },
    ],
    contexts: [{ name: "scan", cluster: "cluster", user: "scanner" }],
    currentContext: "scan",
  });
  const { bearerToken } = access;
  if (bearerToken) {
    kubeConfig.addAuthenticator({
      isAuthProvider: (user) => user.authProvider?.name === AUTH_PROVIDER_NAME,
      async applyAuthentication(_user, requestOptions) {
        const token = await bearerToken();
        requestOptions.headers = { ...requestOptions.headers, Authorization: `Bearer ${token}` };
      },
    });
  }
  return kubeConfig;
}

function retryDelayMs(error: unknown, attempt: number): number {
  const headers = (error as { headers?: Record<string, string> }).headers ?? {};
  const retryAfter = Number(headers["retry-after"]);
  const delay = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : 250 * 2 ** attempt;
  return Math.min(delay, MAX_RETRY_DELAY_MS);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
