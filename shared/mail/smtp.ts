/**
 * SMTP delivery through nodemailer. The interfaces below are the part of
 * nodemailer's API this module uses, so the mail path type-checks and loads
 * on demand (see optional-package.ts).
 */
import { MailError } from "./errors.js";
import type { MailMessage, MailTransport, SentMail } from "./model.js";
import { loadMailPackage } from "./optional-package.js";

export interface SmtpSettings {
  host: string;
  port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  /** Extra CA certificates to trust (a private relay, or a test server). */
  ca?: string | Buffer;
  /** Refuse to send without TLS; default true when a password is given, so a password never crosses in clear text. */
  requireTls?: boolean;
  /** Milliseconds for connecting, the greeting and each socket read. */
  timeoutMs?: number;
}

interface NodemailerSendInfo {
  messageId?: string;
  rejected?: unknown[];
}
interface NodemailerTransporter {
  sendMail(mail: Record<string, unknown>): Promise<NodemailerSendInfo>;
  close(): void;
}
interface NodemailerModule {
  createTransport(options: Record<string, unknown>): NodemailerTransporter;
}

export async function createSmtpTransport(settings: SmtpSettings): Promise<MailTransport> {
  const loaded = await loadMailPackage<NodemailerModule & { default?: NodemailerModule }>("nodemailer");
  const nodemailer = loaded.default ?? loaded;
  const timeout = settings.timeoutMs ?? 30_000;
  const requireTls = settings.requireTls ?? settings.password !== undefined;
  const transporter = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: requireTls && !settings.secure,
    ...(settings.user !== undefined && { auth: { user: settings.user, pass: settings.password ?? "" } }),
    ...(settings.ca !== undefined && { tls: { ca: settings.ca } }),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  let closed = false;

  return {
    kind: "smtp",
    async send(message: MailMessage): Promise<SentMail> {
      let info: NodemailerSendInfo;
      try {
        info = await transporter.sendMail({
          from: message.from,
          to: [...message.to],
          subject: message.subject,
          text: message.text,
          html: message.html,
          ...(message.headers && { headers: { ...message.headers } }),
        });
      } catch (error) {
        throw smtpError(error, settings);
      }
      if (info.rejected && info.rejected.length > 0) {
        throw new MailError("rejected", `the SMTP server refused ${info.rejected.length} recipient(s)`);
      }
      return { transport: "smtp", messageId: info.messageId ?? "" };
    },
    async close() {
      if (closed) return;
      closed = true;
      transporter.close();
    },
  };
}

/** Permanent SMTP replies (5xx) and refused credentials will not pass on a retry; everything else may. */
function smtpError(error: unknown, settings: SmtpSettings): MailError {
  const e = error as { code?: unknown; responseCode?: unknown; message?: unknown };
  const where = `${settings.host}:${settings.port}`;
  // The server's reply can quote the envelope; keep the message short and free of credentials.
  const detail = typeof e.message === "string" ? e.message.slice(0, 300) : String(error);
  if (e.code === "EAUTH") return new MailError("not-configured", `SMTP authentication at ${where} failed: check SMTP_USER and SMTP_PASSWORD`, { cause: error });
  if (typeof e.responseCode === "number" && e.responseCode >= 500) {
    return new MailError("rejected", `the SMTP server at ${where} refused the message (${e.responseCode}): ${detail}`, { cause: error });
  }
  return new MailError("unavailable", `SMTP delivery through ${where} failed: ${detail}`, { cause: error });
}
