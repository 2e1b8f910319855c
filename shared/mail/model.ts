/**
 * A mail message and the transports that deliver it. The digest builds the
 * message; a transport only carries it, so ACS and SMTP are interchangeable.
 */

export const MAIL_TRANSPORT_KINDS = ["acs", "smtp"] as const;
export type MailTransportKind = (typeof MAIL_TRANSPORT_KINDS)[number];

export interface MailMessage {
  from: string;
  to: readonly string[];
  subject: string;
  html: string;
  /** The plain-text alternative: same facts, for clients that do not show HTML. */
  text: string;
  /** Extra headers, e.g. X-Wiscan-Scan to let mail rules sort digests. */
  headers?: Readonly<Record<string, string>>;
}

export interface SentMail {
  transport: MailTransportKind;
  /** The Message-ID (SMTP) or operation id (ACS) the service gave, for tracing a delivery. */
  messageId: string;
}

export interface MailTransport {
  readonly kind: MailTransportKind;
  send(message: MailMessage): Promise<SentMail>;
  /** Releases pooled connections; safe to call more than once. */
  close(): Promise<void>;
}
