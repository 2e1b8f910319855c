/**
 * The digest of a large fleet at its default settings: 50,000 open findings
 * with long names and 5 kB annotations, 40 clusters. Gmail clips an HTML part
 * past about 102 kB (shared/digest/build.ts cites the measurements), so the
 * digest must stay under it as written and as sent, and count and link what
 * it does not show.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SETTINGS } from "../../shared/config/index.js";
import { FLEET_AUDIENCE_ID, LIST_LIMITS, MAX_DIGEST_BYTES, MAX_DIGEST_HTML_BYTES, renderDigest, type Digest } from "../../shared/digest/index.js";
import { createSmtpTransport } from "../../shared/mail/index.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";
import { digestData, health, S0, S1, saFinding, SUB_A, SUB_B } from "./fixtures.js";

const API = "https://wiscan.example.com/api";
const GMAIL_CLIPS_PAST_BYTES = 102_000;
const DEFAULT_MAX_FINDINGS = Number(SETTINGS.DIGEST_MAX_FINDINGS.default);

/** The HTML part of a raw MIME message, decoded from its transfer encoding, and its bytes as they travelled. */
function htmlPartOf(raw: string): { encoding: string; encodedBytes: number } {
  const part = /Content-Type: text\/html[^\r\n]*\r\nContent-Transfer-Encoding: ([\w-]+)\r\n\r\n([\s\S]*?)\r\n--/i.exec(raw);
  if (!part) throw new Error("no text/html part in the message");
  return { encoding: part[1]!.toLowerCase(), encodedBytes: Buffer.byteLength(part[2]!) };
}

describe("a digest of 50,000 open findings at the default settings", () => {
  let smtp: TestSmtpServer;
  let digest: Digest;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    const open = Array.from({ length: 50_000 }, (_, i) =>
      saFinding(`aks-${i % 40}`, `ns-${i % 300}`, `sa-${i}-${"n".repeat(60)}`, { openedAt: i % 10 === 0 ? S1 : S0, evidence: { annotation: "a".repeat(5000), subject: `system:serviceaccount:ns:sa-${i}` } }),
    );
    const clusters = Array.from({ length: 40 }, (_, i) => health(`aks-${i}`, { workloadIdentityPods: 2000 }));
    digest = await renderDigest(digestData({ open, clusters }), { id: FLEET_AUDIENCE_ID, recipients: [] }, { maxFindings: DEFAULT_MAX_FINDINGS, findingsApiBaseUrl: API });
  });
  afterAll(async () => {
    await smtp?.close();
  });

  it("shows some findings in detail and counts and links the rest", () => {
    expect(digest.subject).toBe("wiscan: 5000 new high, 50000 open, 0 resolved — 40 clusters in 2 subscriptions");
    const detailed = digest.text.match(/^ {2}\* \[High\]/gm)?.length ?? 0;
    expect(detailed).toBe(digest.detailedFindings);
    expect(detailed).toBeGreaterThanOrEqual(5);
    expect(detailed).toBeLessThanOrEqual(DEFAULT_MAX_FINDINGS);
    // Every finding shown in detail here is new (new ones come first), so the rest of the new ones and all old ones are counted.
    expect(digest.text).toContain(`${5000 - detailed} more new findings not shown: ${API}/findings?status=open&since=${encodeURIComponent(S0)}`);
    expect(digest.text).toContain(`45000 more open findings not shown: ${API}/findings?status=open`);
    expect(digest.html).toContain(`${5000 - detailed} more new findings`);
  });

  it("keeps its HTML under Gmail's clipping point, as written and as sent through a real SMTP server", async () => {
    expect(Buffer.byteLength(digest.html)).toBeLessThanOrEqual(MAX_DIGEST_HTML_BYTES);
    expect(MAX_DIGEST_HTML_BYTES).toBeLessThan(GMAIL_CLIPS_PAST_BYTES);
    expect(digest.sizeBytes).toBeLessThanOrEqual(MAX_DIGEST_BYTES);
    const transport = await createSmtpTransport({ host: smtp.host, port: smtp.port, secure: false, user: smtp.user, password: smtp.password, ca: smtp.caPem });
    try {
      await transport.send({ from: "wiscan@example.com", to: ["security@example.com"], subject: digest.subject, html: digest.html, text: digest.text });
    } finally {
      await transport.close();
    }
    const mail = smtp.received.at(-1)!;
    expect(mail.parsed.subject).toBe(digest.subject);
    expect(mail.parsed.html).toBe(digest.html);
    const sent = htmlPartOf(mail.raw);
    expect(sent.encoding).toBe("quoted-printable");
    expect(sent.encodedBytes).toBeLessThan(GMAIL_CLIPS_PAST_BYTES);
  });
});

describe("a digest whose lists alone would pass Gmail's clipping point", () => {
  it("shortens its lists, counting what they leave out, to keep findings in detail", async () => {
    const subscriptions = [SUB_A, SUB_B, ...Array.from({ length: 38 }, (_, i) => `${String(i).padStart(8, "0")}-3333-3333-3333-333333333333`)];
    const clusters = Array.from({ length: 200 }, (_, i) => health(`aks-${i}-${"c".repeat(40)}`, { status: i % 10 === 0 ? "forbidden" : "ok", reason: "list pods: 403" }, subscriptions[i % 40]));
    const open = Array.from({ length: 5_000 }, (_, i) => saFinding(clusters[i % 200]!.cluster, `ns-${i % 50}`, `sa-${i}`, { openedAt: i % 10 === 0 ? S1 : S0 }, subscriptions[i % 40]));
    const resolved = Array.from({ length: 2_000 }, (_, i) => saFinding(clusters[i % 200]!.cluster, `ns-${i % 50}`, `gone-${i}-${"r".repeat(60)}`, { status: "resolved", resolvedAt: S1 }, subscriptions[i % 40]));
    const digest = await renderDigest(digestData({ open, resolved, clusters }), { id: FLEET_AUDIENCE_ID, recipients: [] }, { maxFindings: DEFAULT_MAX_FINDINGS, findingsApiBaseUrl: API });

    expect(Buffer.byteLength(digest.html)).toBeLessThanOrEqual(MAX_DIGEST_HTML_BYTES);
    expect(digest.detailedFindings).toBeGreaterThanOrEqual(5);
    const shownResolved = digest.text.slice(digest.text.indexOf("RESOLVED SINCE"), digest.text.indexOf("SUPPRESSIONS EXPIRING")).match(/^ {2}- \[/gm)?.length ?? 0;
    expect(shownResolved).toBeGreaterThan(0);
    expect(shownResolved).toBeLessThan(LIST_LIMITS.resolved);
    expect(digest.text).toContain(`${2000 - shownResolved} more resolved findings`);
    expect(digest.text).toMatch(/and \d+ more clusters?\n/);
  });
});
