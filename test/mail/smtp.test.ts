import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMailTransport, createSmtpTransport, MailError, type MailTransport } from "../../shared/mail/index.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";

describe("the SMTP transport", () => {
  let smtp: TestSmtpServer;
  let transport: MailTransport;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    transport = (await createMailTransport(
      { transport: "smtp", recipients: [], maxFindings: 10, smtp: { host: smtp.host, port: smtp.port, secure: false, user: smtp.user, password: smtp.password } },
      { ca: smtp.caPem },
    ))!;
  });
  afterAll(async () => {
    await transport.close();
    await smtp.close();
  });

  it("delivers HTML and text parts with the headers, over STARTTLS with the password", async () => {
    const sent = await transport.send({
      from: "wiscan@example.com",
      to: ["a@example.com", "b@example.com"],
      subject: "wiscan: 1 new high, 1 open, 0 resolved — 1 cluster in 1 subscription",
      html: "<p>Hello <b>team</b></p>",
      text: "Hello team",
      headers: { "X-Wiscan-Scan": "scan-1" },
    });
    expect(sent.transport).toBe("smtp");
    const mail = smtp.received.at(-1)!;
    expect(mail.envelopeTo).toEqual(["a@example.com", "b@example.com"]);
    expect(mail.parsed.subject).toBe("wiscan: 1 new high, 1 open, 0 resolved — 1 cluster in 1 subscription");
    expect(mail.parsed.html).toContain("<b>team</b>");
    expect(mail.parsed.text?.trim()).toBe("Hello team");
    expect(mail.parsed.headers.get("x-wiscan-scan")).toBe("scan-1");
    expect(mail.parsed.messageId).toBe(sent.messageId);
  });

  it("reports a relay that answers 451 as unavailable, so the digest retries", async () => {
    smtp.refuseNext(1);
    const error = await transport.send({ from: "wiscan@example.com", to: ["a@example.com"], subject: "s", html: "<p>x</p>", text: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailError);
    expect((error as MailError).code).toBe("unavailable");
  });

  it("reports a wrong password as a configuration problem, without the password in the message", async () => {
    const wrong = await createSmtpTransport({ host: smtp.host, port: smtp.port, secure: false, user: smtp.user, password: "not-the-password", ca: smtp.caPem });
    try {
      const error = await wrong.send({ from: "wiscan@example.com", to: ["a@example.com"], subject: "s", html: "<p>x</p>", text: "x" }).catch((e: unknown) => e);
      expect((error as MailError).code).toBe("not-configured");
      expect((error as MailError).message).not.toContain("not-the-password");
    } finally {
      await wrong.close();
    }
  });

  it("reports a relay that is not listening as unavailable", async () => {
    const down = await createSmtpTransport({ host: "127.0.0.1", port: 1, secure: false, timeoutMs: 2000 });
    const error = await down.send({ from: "wiscan@example.com", to: ["a@example.com"], subject: "s", html: "<p>x</p>", text: "x" }).catch((e: unknown) => e);
    expect((error as MailError).code).toBe("unavailable");
    await down.close();
  });
});
