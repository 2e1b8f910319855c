/**
 * Delivery through Azure Communication Services Email. The send is a
 * long-running operation: POST /emails:send answers 202 with an
 * operation-location, which the SDK polls until the message is accepted or
 * failed. In production the credential is the Function App's managed identity.
 */
import type { TokenCredential } from "@azure/core-auth";
import { MailError } from "./errors.js";
import type { MailMessage, MailTransport, SentMail } from "./model.js";
import { loadMailPackage } from "./optional-package.js";

export interface AcsSettings {
  /** https://<resource>.communication.azure.com */
  endpoint: string;
  credential: TokenCredential;
  /** Extra CA certificates to trust (a test endpoint on loopback). */
  ca?: string;
  /** Milliseconds between status polls; the service's retry-after wins when it gives one. */
  pollIntervalMs?: number;
  /** How long to wait for the operation to finish before calling the service unavailable. */
  timeoutMs?: number;
  /** The clock an HTTP-date Retry-After is read against; the real one by default. */
  now?: () => number;
}

// The part of @azure/communication-email 1.x this module uses.
interface EmailSendResult {
  id: string;
  status: string;
  error?: { code?: string; message?: string };
}
interface EmailPoller {
  pollUntilDone(options?: { abortSignal?: AbortSignal }): Promise<EmailSendResult>;
}
interface EmailClientLike {
  beginSend(message: Record<string, unknown>, options?: Record<string, unknown>): Promise<EmailPoller>;
}
interface CommunicationEmailModule {
  EmailClient: new (endpoint: string, credential: TokenCredential, options?: Record<string, unknown>) => EmailClientLike;
}
// The part of @azure/core-rest-pipeline's policy interface the throttle policy uses.
interface PipelineResponseLike {
  status: number;
  headers: { get(name: string): string | undefined };
  request: { method: string; url: string };
}
interface PipelinePolicyLike {
  name: string;
  sendRequest(request: { method: string; url: string }, next: (request: { method: string; url: string }) => Promise<PipelineResponseLike>): Promise<PipelineResponseLike>;
}

/**
 * Turns ACS's 429 to a send into a MailError carrying the Retry-After, before
 * the SDK's retry policy sees it. The SDK would otherwise sleep the Retry-After
 * itself (core-rest-pipeline's throttlingRetryStrategy honours 429 + Retry-After)
 * where nothing can count it against the sending limits, then throw a bare
 * error; the pacing (pacing.ts) waits instead, with the clock it is given.
 * "perRetry" places it below the retry policy (core-client additionalPolicies),
 * and a thrown error that is not a network error is not retried
 * (exponentialRetryStrategy). Only POST /emails:send: a 429 to a status poll
 * concerns a message already accepted, and re-sending it would deliver it
 * twice, so the SDK's own handling stays for polls.
 * ACS answers 429 with Retry-After past its limits:
 * learn.microsoft.com/azure/communication-services/concepts/service-limits#email.
 */
export const ACS_THROTTLE_POLICY_NAME = "wiscanAcsSendThrottle";

function throttlePolicy(now: () => number): PipelinePolicyLike {
  return {
    name: ACS_THROTTLE_POLICY_NAME,
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status === 429 && request.method === "POST" && new URL(request.url).pathname.endsWith("/emails:send")) {
        const retryAfterMs = retryAfter(response, now());
        throw new MailError("unavailable", `Azure Communication Services throttled the send (429): the subscription's email sending limit is reached${retryAfterMs !== undefined ? `; retry after ${Math.ceil(retryAfterMs / 1000)} s` : ""}`, {
          ...(retryAfterMs !== undefined && { retryAfterMs }),
        });
      }
      return response;
    },
  };
}

/** Retry-After as seconds or an HTTP date (RFC 9110 10.2.3), or retry-after-ms; undefined when absent or unreadable. */
export function retryAfter(response: { headers: { get(name: string): string | undefined } }, nowMs: number): number | undefined {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const ms = Number(response.headers.get(name));
    if (response.headers.get(name) !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = response.headers.get("retry-after")?.trim();
  if (value === undefined || value === "") return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

export async function createAcsTransport(settings: AcsSettings): Promise<MailTransport> {
  const { EmailClient } = await loadMailPackage<CommunicationEmailModule>("@azure/communication-email");
  const client = new EmailClient(settings.endpoint, settings.credential, {
    ...(settings.ca !== undefined && { tlsOptions: { ca: settings.ca } }),
    // Retries of the whole send are the digest's job (with a record of each attempt); one quick retry here covers a dropped connection.
    retryOptions: { maxRetries: 1 },
    additionalPolicies: [{ policy: throttlePolicy(settings.now ?? Date.now), position: "perRetry" }],
  });
  const timeoutMs = settings.timeoutMs ?? 10 * 60_000;

  return {
    kind: "acs",
    async send(message: MailMessage): Promise<SentMail> {
      let result: EmailSendResult;
      try {
        const poller = await client.beginSend(
          {
            senderAddress: message.from,
            recipients: { to: message.to.map((address) => ({ address })) },
            content: { subject: message.subject, plainText: message.text, html: message.html },
            ...(message.headers && { headers: { ...message.headers } }),
          },
          { updateIntervalInMs: settings.pollIntervalMs ?? 2000 },
        );
        result = await poller.pollUntilDone({ abortSignal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        throw acsError(error, settings.endpoint);
      }
      switch (result.status) {
        case "Succeeded":
          return { transport: "acs", messageId: result.id };
        case "Failed":
          throw new MailError("rejected", `Azure Communication Services failed to send operation ${result.id}: ${result.error?.code ?? ""} ${result.error?.message ?? ""}`.trim());
        default:
          throw new MailError("unavailable", `Azure Communication Services ended operation ${result.id} with status ${result.status}`);
      }
    },
    async close() {},
  };
}

function acsError(error: unknown, endpoint: string): MailError {
  if (error instanceof MailError) return error;
  const e = error as { statusCode?: unknown; code?: unknown; message?: unknown; name?: unknown };
  const detail = typeof e.message === "string" ? e.message.slice(0, 300) : String(error);
  const status = typeof e.statusCode === "number" ? e.statusCode : undefined;
  // core-lro throws (rather than returning the result) when the operation ends Failed: the service accepted
  // the request and then refused the message (suppressed recipients, bad sender), so a retry fails alike.
  if (status === undefined && /long-running operation has failed/i.test(detail)) {
    return new MailError("rejected", `Azure Communication Services failed to send the message: ${detail}`, { cause: error });
  }
  if (status === 401 || status === 403) {
    return new MailError("not-configured", `Azure Communication Services at ${endpoint} refused the identity (${status}): grant it the "wiscan Email Sender" role (infra/roles/email-sender.json) on the Communication Services resource`, { cause: error });
  }
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new MailError("rejected", `Azure Communication Services refused the message (${status}): ${detail}`, { cause: error });
  }
  return new MailError("unavailable", `Azure Communication Services at ${endpoint} did not accept the message: ${detail}`, { cause: error });
}
