/**
 * A per-attempt timeout for the Azure clients. The SDKs wait forever by
 * default, and when a request's own timeout fires they throw an AbortError,
 * which their retry policy never retries: one hung ARM answer would hang the
 * whole scan. This policy (position "perRetry") gives each attempt its own
 * deadline and turns a missed one into an ETIMEDOUT RestError, which the
 * SDK's exponential retry strategy retries like any dropped connection.
 */
import { RestError, type PipelinePolicy } from "@azure/core-rest-pipeline";

export const DEFAULT_AZURE_REQUEST_TIMEOUT_MS = 60_000;

export function requestTimeoutPolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: "wiscanRequestTimeout",
    async sendRequest(request, next) {
      const caller = request.abortSignal;
      const attempt = new AbortController();
      const forward = () => attempt.abort();
      if (caller?.aborted) attempt.abort();
      caller?.addEventListener("abort", forward);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        attempt.abort();
      }, timeoutMs);
      request.abortSignal = attempt.signal;
      try {
        return await next(request);
      } catch (error) {
        if (timedOut && !caller?.aborted) {
          throw new RestError(`no answer within ${timeoutMs} ms`, { code: "ETIMEDOUT", request });
        }
        throw error;
      } finally {
        clearTimeout(timer);
        caller?.removeEventListener("abort", forward);
        // The retry policy checks the caller's signal after this attempt, not this attempt's.
        request.abortSignal = caller;
      }
    },
  };
}
