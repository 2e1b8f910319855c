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

export async function createAcsTransport(settings: AcsSettings): Promise<MailTransport> {
  const { EmailClient } = await loadMailPackage<CommunicationEmailModule>("@azure/communication-email");
  const client = new EmailClient(settings.endpoint, settings.credential, {
    ...(settings.ca !== undefined && { tlsOptions: { ca: settings.ca } }),
    // Retries of the whole send are the digest's job (with a record of each attempt); one quick retry here covers a dropped connection.
    retryOptions: { maxRetries: 1 },
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
