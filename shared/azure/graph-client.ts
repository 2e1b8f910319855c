/**
 * A small Microsoft Graph client: GET with the credential's bearer token for
 * https://graph.microsoft.com/.default, @odata.nextLink paging, and the Azure
 * pipeline's retry policy, which waits out 429 Retry-After and retries 5xx.
 */
import type { TokenCredential } from "@azure/core-auth";
import {
  bearerTokenAuthenticationPolicy,
  createHttpHeaders,
  createPipelineFromOptions,
  createDefaultHttpClient,
  createPipelineRequest,
  type PipelinePolicy,
  type TlsSettings,
} from "@azure/core-rest-pipeline";

export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

export class GraphRequestError extends Error {
  override readonly name = "GraphRequestError";
  constructor(
    readonly status: number,
    /** Graph's error code, e.g. "Authorization_RequestDenied" or "Request_ResourceNotFound". */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface GraphClient {
  /** GET one object; `path` is relative to the endpoint, e.g. "/v1.0/applications(appId='...')". */
  get<T>(path: string): Promise<T>;
  /** GET a collection, following @odata.nextLink until the end. */
  list<T>(path: string): AsyncIterable<T>;
}

export interface GraphClientOptions {
  credential: TokenCredential;
  /** Default https://graph.microsoft.com. */
  endpoint?: string;
  /** Token scope; default GRAPH_SCOPE (the public cloud's Graph). */
  scope?: string;
  tlsOptions?: TlsSettings;
  additionalPolicies?: Array<{ policy: PipelinePolicy; position: "perCall" | "perRetry" }>;
  /** Retries after 429 or 5xx (default 3, the Azure SDK's). */
  maxRetries?: number;
}

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const endpoint = (options.endpoint ?? "https://graph.microsoft.com").replace(/\/+$/, "");
  const pipeline = createPipelineFromOptions({
    ...(options.tlsOptions && { tlsOptions: options.tlsOptions }),
    retryOptions: { maxRetries: options.maxRetries ?? 3 },
    userAgentOptions: { userAgentPrefix: "wiscan" },
  });
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: options.scope ?? GRAPH_SCOPE }));
  for (const { policy, position } of options.additionalPolicies ?? []) {
    pipeline.addPolicy(policy, position === "perRetry" ? { afterPhase: "Retry" } : {});
  }
  const httpClient = createDefaultHttpClient();

  const getUrl = async <T>(url: string): Promise<T> => {
    const request = createPipelineRequest({ url, method: "GET", headers: createHttpHeaders({ accept: "application/json" }) });
    const response = await pipeline.sendRequest(httpClient, request);
    const text = response.bodyAsText ?? "";
    let body: unknown;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (response.status >= 400) {
      const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new GraphRequestError(response.status, error?.code ?? `HTTP${response.status}`, error?.message ?? `Microsoft Graph answered ${response.status} for ${url}`);
    }
    return body as T;
  };

  return {
    get: <T>(path: string) => getUrl<T>(endpoint + path),
    async *list<T>(path: string): AsyncIterable<T> {
      let url: string | undefined = endpoint + path;
      while (url) {
        const page: { value?: T[]; "@odata.nextLink"?: string } = await getUrl(url);
        yield* page.value ?? [];
        url = page["@odata.nextLink"];
      }
    },
  };
}
