/**
 * A real SMTP server on loopback (smtp-server) that parses what it receives
 * with mailparser, for the mail and digest tests. It speaks STARTTLS with a
 * throwaway CA and requires a password, like a production relay, and can be
 * told to refuse the next messages with a temporary error (the relay is down).
 */
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerSession } from "smtp-server";
import type { AddressInfo } from "node:net";
import { generateLoopbackTls } from "../../simulator/tls.js";

export interface ReceivedMail {
  /** Envelope recipients (RCPT TO), which is what routing decides. */
  envelopeTo: string[];
  envelopeFrom: string;
  raw: string;
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  host: string;
  port: number;
  caPem: string;
  user: string;
  password: string;
  received: ReceivedMail[];
  /** The next `count` messages are refused with 451 (try again later). */
  refuseNext(count: number): void;
  /** Messages refused so far. */
  refused(): number;
  close(): Promise<void>;
}

/** The settings that send wiscan's digests through this server (its CA still has to be trusted, e.g. NODE_EXTRA_CA_CERTS). */
export function smtpSettings(smtp: TestSmtpServer): Record<string, string> {
  return {
    MAIL_TRANSPORT: "smtp",
    SMTP_HOST: smtp.host,
    SMTP_PORT: String(smtp.port),
    SMTP_USER: smtp.user,
    SMTP_PASSWORD: smtp.password,
    DIGEST_SENDER: "wiscan@example.com",
    DIGEST_RECIPIENTS: "security@example.com",
  };
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const tls = generateLoopbackTls();
  const user = "wiscan";
  const password = "test-password-not-a-secret";
  const received: ReceivedMail[] = [];
  let toRefuse = 0;
  let refusedCount = 0;

  const server = new SMTPServer({
    secure: false,
    key: tls.keyPem,
    cert: tls.certPem,
    logger: false,
    size: 20 * 1024 * 1024,
    authMethods: ["PLAIN", "LOGIN"],
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user });
      return callback(new Error("Invalid username or password"));
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", callback);
      stream.on("end", () => {
        if (toRefuse > 0) {
          toRefuse -= 1;
          refusedCount += 1;
          const error = Object.assign(new Error("Relay temporarily unavailable, try again later"), { responseCode: 451 });
          return callback(error);
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        simpleParser(raw)
          .then((parsed) => {
            received.push({
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              envelopeFrom: session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address,
              raw,
              parsed,
            });
            callback();
          })
          .catch(callback);
      });
    },
  });
  server.on("error", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = (server as unknown as { server: { address(): AddressInfo } }).server.address();

  return {
    host: "127.0.0.1",
    port: address.port,
    caPem: tls.caPem,
    user,
    password,
    received,
    refuseNext(count) {
      toRefuse = count;
    },
    refused: () => refusedCount,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
