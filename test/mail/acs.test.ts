import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMailTransport, MailError, type MailTransport } from "../../shared/mail/index.js";
import { startFakeAcs, type FakeAcs } from "./acs-fake.js";

/** Stands in for the managed identity: hands out a token and remembers the scopes asked for. */
class RecordingCredential implements TokenCredential {
  scopes: string[] = [];
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    return { token: "test-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

const MESSAGE = {
  from: "wiscan@example.com",
  to: ["security@example.com", "platform@example.com"],
  subject: "wiscan: 1 new high, 2 open, 0 resolved — 1 cluster in 1 subscription",
  html: "<p>digest</p>",
  text: "digest",
  headers: { "X-Wiscan-Scan": "scan-1" },
};

describe("the Azure Communication Services transport", () => {
  let acs: FakeAcs;
  let transport: MailTransport;
  const credential = new RecordingCredential();

  beforeAll(async () => {
    acs = await startFakeAcs();
    transport = (await createMailTransport(
      { transport: "acs", recipients: [], maxFindings: 10, acsEndpoint: acs.endpoint },
      { credential, ca: acs.caPem, pollIntervalMs: 10 },
    ))!;
  });
  afterAll(async () => {
    await transport.close();
    await acs.close();
  });

  it("sends the message and polls the operation until it succeeds", async () => {
    acs.runningPolls = 3;
    acs.finalStatus = "Succeeded";
    const before = acs.requests.length;
    const sent = await transport.send(MESSAGE);
    const requests = acs.requests.slice(before);

    expect(sent.transport).toBe("acs");
    expect(sent.messageId).not.toBe("");
    const post = requests[0]!;
    expect(post.method).toBe("POST");
    expect(post.path).toBe("/emails:send?api-version=2025-09-01");
    expect(post.authorization).toBe("Bearer test-token");
    expect(post.body).toMatchObject({
      senderAddress: "wiscan@example.com",
      recipients: { to: [{ address: "security@example.com" }, { address: "platform@example.com" }] },
      content: { subject: MESSAGE.subject, html: "<p>digest</p>", plainText: "digest" },
      headers: { "X-Wiscan-Scan": "scan-1" },
    });
    const gets = requests.filter((r) => r.method === "GET");
    expect(gets.length).toBeGreaterThanOrEqual(4);
    expect(gets.every((g) => g.path.startsWith(`/emails/operations/${sent.messageId}`))).toBe(true);
    expect(credential.scopes).toContain("https://communication.azure.com//.default");
  });

  it("reports a message the service failed to send as rejected, not to be retried", async () => {
    acs.runningPolls = 1;
    acs.finalStatus = "Failed";
    const error = await transport.send(MESSAGE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailError);
    expect((error as MailError).code).toBe("rejected");
    expect((error as MailError).retryable).toBe(false);
  });

  it("reports a service that keeps answering 503 as unavailable, to be retried", async () => {
    acs.finalStatus = "Succeeded";
    acs.failNextSends(5, 503);
    const error = await transport.send(MESSAGE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailError);
    expect((error as MailError).code).toBe("unavailable");
    expect((error as MailError).retryable).toBe(true);
    acs.failNextSends(0, 503);
  });
});
