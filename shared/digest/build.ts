/**
 * Builds one rendered digest: view model, HTML and text, within the size
 * bound. When the detailed findings would push the email past the bound, fewer
 * are shown in detail until it fits; the rest stay counted and linked.
 */
import type { Digest, DigestAudience, DigestData, DigestOptions } from "./model.js";
import { renderDigestParts } from "./render.js";
import { buildDigestView } from "./view-model.js";

/**
 * The bound on subject, HTML and text before MIME encoding. Quoted-printable
 * adds up to a fifth to HTML full of style="..." (every "=" becomes "=3D"), so
 * 800 kB of parts keeps the message as sent under 1 MB, which every service we
 * target accepts (ACS allows 10 MB, most SMTP relays 10-25 MB).
 */
export const MAX_DIGEST_BYTES = 800_000;

export async function renderDigest(data: DigestData, audience: DigestAudience, options: DigestOptions, maxBytes = MAX_DIGEST_BYTES): Promise<Digest> {
  let maxFindings = options.maxFindings;
  for (;;) {
    const view = buildDigestView(data, audience, { ...options, maxFindings });
    const { html, text } = await renderDigestParts(view);
    const sizeBytes = Buffer.byteLength(view.subject) + Buffer.byteLength(html) + Buffer.byteLength(text);
    if (sizeBytes <= maxBytes || maxFindings === 0) {
      const percent = view.score.known ? view.score.percent : undefined;
      return {
        subject: view.subject,
        html,
        text,
        sizeBytes,
        detailedFindings: view.newFindings.length + view.openGroups.reduce((n, g) => n + g.clusters.reduce((m, c) => m + c.findings.length, 0), 0),
        summary: { scanId: data.scan.id, scanStartedAt: data.scan.startedAt, open: view.totals.open, ...(percent !== undefined && { scorePercent: percent }) },
      };
    }
    // Detailed findings weigh most of the email: scale their number to the bound, a little under, and try again.
    maxFindings = Math.max(0, Math.min(maxFindings - 1, Math.floor(maxFindings * (maxBytes / sizeBytes) * 0.9)));
  }
}
