/**
 * `wiscan digest --resend SCAN_ID [--audience ID | --all] [--demo]`: sends the
 * stored digests of a scan again, as they were rendered, through the transport
 * MAIL_TRANSPORT names. By default only the digests not delivered yet.
 */
import { environmentWithLocalSettings, loadConfig, type WiscanConfig } from "../config/index.js";
import { createDigestArchive, DigestError, resendDigest, type AudienceDelivery, type DigestDeliveryReport, type RetryPolicy } from "../digest/index.js";
import { createMailTransport, MailError, type MailTransport } from "../mail/index.js";
import { CliError, EXIT } from "./exit-codes.js";
import { openStore } from "./store-access.js";

export interface RawDigestOptions {
  resend?: string;
  audience?: string;
  all?: boolean;
  demo?: boolean;
}

/** A person waits at the terminal: fewer and shorter retries than the weekly step's. */
export const CLI_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1_000, maxDelayMs: 5_000 };

export async function digestAction(raw: RawDigestOptions): Promise<void> {
  const scanId = raw.resend;
  if (scanId === undefined) throw new CliError(EXIT.usage, "digest needs --resend SCAN_ID (the scan ids are listed by GET /api/scans)");
  if (raw.all === true && raw.audience !== undefined) throw new CliError(EXIT.usage, "--audience and --all cannot be combined: --all resends every audience's digest");
  const config = loadConfig(environmentWithLocalSettings(process.env));
  const transport = await openTransport(config);
  try {
    const opened = await openStore(config, raw.demo === true);
    if (opened === undefined) {
      throw new CliError(EXIT.usage, "no findings store is configured: set FINDINGS_STORAGE_ACCOUNT_URL or FINDINGS_STORAGE_CONNECTION_STRING (or use --demo)");
    }
    try {
      const archive = await createDigestArchive(opened.settings, {
        ...(config.scanner.managedIdentityClientId !== undefined && { managedIdentityClientId: config.scanner.managedIdentityClientId }),
      });
      const report = await resendDigest({ store: opened.store, archive, transport }, scanId, { digest: config.digest, retry: CLI_RETRY }, {
        all: raw.all === true,
        ...(raw.audience !== undefined && { audienceId: raw.audience }),
      });
      process.stdout.write(formatDelivery(report));
      if (report.digests.some((d) => d.outcome === "failed")) process.exitCode = EXIT.notDelivered;
    } catch (error) {
      if (error instanceof DigestError) throw new CliError(EXIT.usage, error.message);
      throw error;
    } finally {
      await opened.close();
    }
  } finally {
    await transport.close();
  }
}

async function openTransport(config: WiscanConfig): Promise<MailTransport> {
  let transport: MailTransport | undefined;
  try {
    transport = await createMailTransport(config.digest);
  } catch (error) {
    if (error instanceof MailError) throw new CliError(EXIT.usage, error.message);
    throw error;
  }
  if (transport === undefined) {
    throw new CliError(EXIT.usage, "MAIL_TRANSPORT is none: set MAIL_TRANSPORT=smtp (with SMTP_HOST, and DIGEST_SENDER) or acs to send a digest");
  }
  return transport;
}

/** One line per audience's digest: what happened and to whom. */
export function formatDelivery(report: DigestDeliveryReport): string {
  return report.digests.map((d) => `${d.audienceId}: ${describe(d)}\n`).join("");
}

function describe(d: AudienceDelivery): string {
  const to = d.recipients.length > 0 ? d.recipients.join(", ") : "nobody";
  switch (d.outcome) {
    case "sent":
      return `sent to ${to} ("${d.subject}")`;
    case "already-sent":
      return `already sent to ${to}; --all sends it again`;
    case "failed":
      return `not sent after ${d.attempts} attempts: ${d.error ?? "unknown error"}; it stays stored, try again later`;
    case "not-sent":
      return `not sent: ${d.error ?? "no mail transport"}`;
    case "stored":
      return "stored, not sent";
    default: {
      const never: never = d.outcome;
      return String(never);
    }
  }
}
