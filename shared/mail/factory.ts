/**
 * The transport named by MAIL_TRANSPORT, built from the digest section of the
 * configuration. Production sends through ACS with the managed identity.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { WiscanConfig } from "../config/index.js";
import { createAcsTransport } from "./acs.js";
import { MailError } from "./errors.js";
import type { MailTransport } from "./model.js";
import { createSmtpTransport } from "./smtp.js";

export interface TransportOptions {
  /** For ACS: the credential; default a ManagedIdentityCredential (with managedIdentityClientId) or DefaultAzureCredential. */
  credential?: TokenCredential;
  managedIdentityClientId?: string;
  /** Extra CA certificates to trust (tests, private relays). */
  ca?: string;
  /** ACS status poll interval. */
  pollIntervalMs?: number;
}

/** undefined when MAIL_TRANSPORT is none: the digest is rendered and stored, not sent. */
export async function createMailTransport(digest: WiscanConfig["digest"], options: TransportOptions = {}): Promise<MailTransport | undefined> {
  switch (digest.transport) {
    case "none":
      return undefined;
    case "smtp":
      if (!digest.smtp) throw new MailError("not-configured", "MAIL_TRANSPORT is smtp but SMTP_HOST is not set");
      return createSmtpTransport({ ...digest.smtp, ...(options.ca !== undefined && { ca: options.ca }) });
    case "acs": {
      if (digest.acsEndpoint === undefined) throw new MailError("not-configured", "MAIL_TRANSPORT is acs but ACS_ENDPOINT is not set");
      const credential = options.credential ?? (await defaultCredential(options.managedIdentityClientId));
      return createAcsTransport({
        endpoint: digest.acsEndpoint,
        credential,
        ...(options.ca !== undefined && { ca: options.ca }),
        ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
      });
    }
    default: {
      const never: never = digest.transport;
      throw new MailError("not-configured", `unknown MAIL_TRANSPORT ${String(never)}`);
    }
  }
}

async function defaultCredential(clientId: string | undefined): Promise<TokenCredential> {
  const { DefaultAzureCredential, ManagedIdentityCredential } = await import("@azure/identity");
  return clientId !== undefined ? new ManagedIdentityCredential({ clientId }) : new DefaultAzureCredential();
}
