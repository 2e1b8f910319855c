import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLEET_AUDIENCE_ID, MAX_DIGEST_BYTES, renderDigest, type Digest } from "../../shared/digest/index.js";
import { createSmtpTransport } from "../../shared/mail/index.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";
import { digestData, health, S0, S1, saFinding } from "./fixtures.js";

const API = "https://wiscan.example.com/api";

describe("a digest of 50,000 open findings", () => {
  let smtp: TestSmtpServer;
  let digest: Digest;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    const open = Array.from({ length: 50_000 }, (_, i) =>
      saFinding(`aks-${i % 40}`, `ns-${i % 300}`, `sa-${i}-${"n".repeat(60)}`, { openedAt: i % 10 === 0 ? S1 : S0, evidence: { annotation: "a".repeat(5000), subject: `system:serviceaccount:ns:sa-${i}` } }),
    );
    const clusters = Array.from({ length: 40 }, (_, i) => health(`aks-${i}`, { workloadIdentityPods: 2000 }));
    digest = await renderDigest(digestData({ open, clusters }), { id: FLEET_AUDIENCE_ID, recipients: [] }, { maxFindings: 200, findingsApiBaseUrl: API });
  });
  afterAll(async () => {
    await smtp?.close();
  });

  it("shows at most the configured number in detail and counts and links the rest", () => {
    expect(digest.subject).toBe("wiscan: 5000 new high, 50000 open, 0 resolved — 40 clusters in 2 subscriptions");
    const detailed = digest.text.match(/^ {2}\* \[High\]/gm)?.length ?? 0;
    expect(detailed).toBeGreaterThan(0);
    expect(detailed).toBeLessThanOrEqual(200);
    // Every finding shown in detail here is new (new ones come first), so the rest of the new ones and all old ones are counted.
    expect(digest.text).toContain(`${5000 - detailed} more new findings not shown: ${API}/findings?status=open&since=${encodeURIComponent(S0)}`);
    expect(digest.text).toContain(`45000 more open findings not shown: ${API}/findings?status=open`);
    expect(digest.html).toContain(`${5000 - detailed} more new findings`);
  });

  it("stays under 1 MB as sent through a real SMTP server", async () => {
    expect(digest.sizeBytes).toBeLessThanOrEqual(MAX_DIGEST_BYTES);
    const transport = await createSmtpTransport({ host: smtp.host, port: smtp.port, secure: false, user: smtp.user, password: smtp.password, ca: smtp.caPem });
    try {
      await transport.send({ from: "wiscan@example.com", to: ["security@example.com"], subject: digest.subject, html: digest.html, text: digest.text });
    } finally {
      await transport.close();
    }
    const mail = smtp.received.at(-1)!;
    expect(Buffer.byteLength(mail.raw)).toBeLessThan(1_000_000);
    expect(mail.parsed.subject).toBe(digest.subject);
  });
});
