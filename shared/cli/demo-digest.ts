/**
 * The demo's digest: the fleet digest of the scan just saved to the demo's
 * local store, written to out/demo/digest.html and digest.txt so it can be
 * opened in a browser; and, when mail settings are given (MAIL_TRANSPORT=smtp
 * with SMTP_*), delivered like the weekly one: stored, sent with retries,
 * resendable with `wiscan digest --demo --resend SCAN_ID`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { WiscanConfig } from "../config/index.js";
import { buildDigest, createDigestArchive, deliverDigest, digestSettingsFromConfig } from "../digest/index.js";
import type { ScanOutcome } from "../engine/index.js";
import { createMailTransport } from "../mail/index.js";
import { CLI_RETRY, formatDelivery } from "./digest-command.js";
import { DEMO_OUTPUT_DIR } from "./demo.js";
import type { OpenedStore } from "./store-access.js";

export const DEMO_DIGEST_FILES = { html: "digest.html", text: "digest.txt" } as const;

export async function writeDemoDigest(opened: OpenedStore, outcome: ScanOutcome, config: WiscanConfig, stderr: NodeJS.WritableStream): Promise<void> {
  const scanId = outcome.scan.id;
  const settings = digestSettingsFromConfig(config, outcome.inventory.subscriptions, { retry: CLI_RETRY });
  const digest = await buildDigest(opened.store, scanId, config, { ...(settings.subscriptionNames !== undefined && { subscriptionNames: settings.subscriptionNames }) });
  const dir = resolve(DEMO_OUTPUT_DIR);
  await mkdir(dir, { recursive: true });
  const htmlPath = join(dir, DEMO_DIGEST_FILES.html);
  const textPath = join(dir, DEMO_DIGEST_FILES.text);
  await writeFile(htmlPath, digest.html, "utf8");
  await writeFile(textPath, digest.text, "utf8");
  stderr.write(`wrote digest "${digest.subject}": ${htmlPath} (plain text: ${textPath})\n`);

  if (config.digest.transport === "none") return;
  // Delivery is a bonus of the demo: a mail problem is reported, and the scan's result stands.
  try {
    const transport = await createMailTransport(config.digest);
    if (transport === undefined) return;
    try {
      const archive = await createDigestArchive(opened.settings);
      const report = await deliverDigest({ store: opened.store, archive, transport }, scanId, settings);
      stderr.write(formatDelivery(report).replace(/^/gm, "digest "));
      if (report.digests.some((d) => d.outcome === "failed")) stderr.write(`send it again with: npx wiscan digest --demo --resend ${scanId}\n`);
    } finally {
      await transport.close();
    }
  } catch (error) {
    stderr.write(`warning: the digest was written but not sent: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
