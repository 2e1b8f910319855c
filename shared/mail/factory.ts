/**
 * The transport named by MAIL_TRANSPORT, built from the digest section of the
 * configuration. Production sends through ACS with the managed identity.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { WiscanConfig } from "../config/index.js";
import { createAcsTransport } from "./acs.js";
import { MailError } from "./errors.js";
import type { MailTransport } from "./model.js";
import { AZURE_MANAGED_DOMAIN_LIMITS, createPacedTransport, type PacingClock } from "./pacing.js";
import { createSmtpTransport } from "./smtp.js";

export interface TransportOptions {
  /** For ACS: the credential; default a ManagedIdentityCredential (with managedIdentityClientId) or DefaultAzureCredential. */
  credential?: TokenCredential;
  managedIdentityClientId?: string;
  /** Extra CA certificates to trust (tests, private relays). */
  ca?: string;
  /** ACS status poll interval. */
  pollIntervalMs?: number;
  /** The clock the ACS pacing counts and waits with (pacing.ts); the real one by default. */
  clock?: PacingClock;
  /** The longest wait for room in the ACS sending limits before a digest is deferred (pacing.ts, DEFAULT_MAX_WAIT_MS). */
  maxSendWaitMs?: number;
}

/** The digest settings, with the ACS limits whether or not this configuration module declares them yet. */
type DigestConfig = WiscanConfig["digest"] & { acsLimits?: { emailsPerMinute: number; emailsPerHour: number; recipientsPerEmail: number } };

/** undefined when MAIL_TRANSPORT is none: the digest is rendered and stored, not sent. */
export async function createMailTransport(digest: DigestConfig, options: TransportOptions = {}): Promise<MailTransport | undefined> {
  switch (digest.transport) {
    case "none":
      return undefined;
    case "smtp":
      if (!digest.smtp) throw new MailError("not-configured", "MAIL_TRANSPORT is smtp but SMTP_HOST is not set");
      return createSmtpTransport({ ...digest.smtp, ...(options.ca !== undefined && { ca: options.ca }) });
    case "acs": {
      if (digest.acsEndpoint === undefined) throw new MailError("not-configured", "MAIL_TRANSPORT is acs but ACS_ENDPOINT is not set");
      const credential = options.credential ?? (await defaultCredential(options.managedIdentityClientId));
      const acs = await createAcsTransport({
        endpoint: digest.acsEndpoint,
        credential,
        ...(options.ca !== undefined && { ca: options.ca }),
        ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
        ...(options.clock !== undefined && { now: options.clock.now }),
      });
      // ACS refuses what exceeds its per-subscription sending limits (429) and more than 50 recipients per email: pace to them.
      const limits = digest.acsLimits;
      return createPacedTransport(acs, {
        limits: limits
          ? { perMinute: limits.emailsPerMinute, perHour: limits.emailsPerHour, recipientsPerMessage: limits.recipientsPerEmail }
          : AZURE_MANAGED_DOMAIN_LIMITS,
        ...(options.clock !== undefined && { clock: options.clock }),
        ...(options.maxSendWaitMs !== undefined && { maxWaitMs: options.maxSendWaitMs }),
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
