/**
 * Builds one rendered digest: view model, HTML and text, within the size
 * bounds. When the detailed findings would push the email past a bound, fewer
 * are shown in detail until it fits; the rest stay counted and linked. When
 * even the digest without detailed findings passes it, its lists are shortened
 * (shorten-lists.ts).
 */
import type { Digest, DigestAudience, DigestData, DigestOptions } from "./model.js";
import { renderDigestParts } from "./render.js";
import { shortenLists } from "./shorten-lists.js";
import { buildDigestView } from "./view-model.js";

/**
 * The bound on subject, HTML and text before MIME encoding. Quoted-printable
 * adds up to a fifth to HTML full of style="..." (every "=" becomes "=3D"), so
 * 800 kB of parts keeps the message as sent under 1 MB, which every service we
 * target accepts (ACS allows 10 MB, most SMTP relays 10-25 MB).
 */
export const MAX_DIGEST_BYTES = 800_000;

/**
 * The bound on the HTML part alone, in UTF-8 bytes before transfer encoding.
 * Gmail clips a message whose HTML passes about 102 kB behind "[Message
 * clipped] View entire message" (hteumeuleu/email-bugs#41, the email
 * developers' measurements; Spam Resource, "What is Gmail clipping", 2022,
 * measured about 105 kB and saw the point move with the transfer encoding).
 * 90 kB leaves room for that encoding and for what relays add.
 */
export const MAX_DIGEST_HTML_BYTES = 90_000;

export interface DigestBounds {
  totalBytes: number;
  htmlBytes: number;
}

export const DIGEST_BOUNDS: DigestBounds = { totalBytes: MAX_DIGEST_BYTES, htmlBytes: MAX_DIGEST_HTML_BYTES };

interface Attempt {
  digest: Digest;
  htmlBytes: number;
}

/**
 * When findings need room, the rest of the digest leaves room for this many
 * of average weight; past that, its lists are shortened: the newest problems
 * in full matter more to a reader than the hundredth resolved one.
 */
const DETAILED_FINDINGS_KEPT = 10;
const MAX_SHORTENING_TRIES = 5;
/** With LIST_LIMITS of at most 100 rows, a share of 1 % leaves one row per list. */
const MIN_LIST_SHARE = 0.01;

export async function renderDigest(data: DigestData, audience: DigestAudience, options: DigestOptions, bounds: DigestBounds = DIGEST_BOUNDS): Promise<Digest> {
  const renderAt = async (maxFindings: number, listShare: number): Promise<Attempt> => {
    const digest = await renderOnce(data, audience, { ...options, maxFindings }, listShare);
    return { digest, htmlBytes: Buffer.byteLength(digest.html) };
  };
  const first = await renderAt(options.maxFindings, 1);
  if (fits(first, bounds)) return first.digest;

  const shownFirst = first.digest.detailedFindings;
  // What the digest weighs without detailed findings, and so what one weighs on average.
  const bareFull = shownFirst === 0 ? first : await renderAt(0, 1);
  const perHtml = shownFirst === 0 ? 0 : (first.htmlBytes - bareFull.htmlBytes) / shownFirst;
  const perTotal = shownFirst === 0 ? 0 : (first.digest.sizeBytes - bareFull.digest.sizeBytes) / shownFirst;
  const kept = Math.min(shownFirst, DETAILED_FINDINGS_KEPT);
  const bareBounds = { htmlBytes: bounds.htmlBytes - Math.ceil(kept * perHtml), totalBytes: bounds.totalBytes - Math.ceil(kept * perTotal) };
  const { attempt: bare, share: listShare } = fits(bareFull, bareBounds) ? { attempt: bareFull, share: 1 } : await shortenListsToFit(bareFull, bareBounds, (share) => renderAt(0, share));
  if (shownFirst === 0 || !fits(bare, bounds)) return bare.digest;

  let shown = Math.min(shownFirst - 1, roomFor(bounds.htmlBytes - bare.htmlBytes, perHtml), roomFor(bounds.totalBytes - bare.digest.sizeBytes, perTotal));
  // The average can mislead when the first findings are heavier than the rest: one fewer each time until it fits.
  for (;;) {
    if (shown <= 0) return bare.digest;
    const attempt = await renderAt(shown, listShare);
    if (fits(attempt, bounds)) return attempt.digest;
    shown = Math.min(attempt.digest.detailedFindings - 1, shown - Math.ceil((attempt.htmlBytes - bounds.htmlBytes) / Math.max(1, perHtml)));
  }
}

function fits(a: Attempt, bounds: DigestBounds): boolean {
  return a.htmlBytes <= bounds.htmlBytes && a.digest.sizeBytes <= bounds.totalBytes;
}

/** Lists shorter by the share the bounds leave, a little under, until the digest fits or every list is down to one row. */
async function shortenListsToFit(bare: Attempt, bounds: DigestBounds, renderWithLists: (share: number) => Promise<Attempt>): Promise<{ attempt: Attempt; share: number }> {
  let attempt = bare;
  let share = 1;
  for (let tries = 0; tries < MAX_SHORTENING_TRIES && !fits(attempt, bounds) && share > MIN_LIST_SHARE; tries += 1) {
    share = Math.max(MIN_LIST_SHARE, share * 0.9 * Math.min(bounds.htmlBytes / attempt.htmlBytes, bounds.totalBytes / attempt.digest.sizeBytes));
    attempt = await renderWithLists(share);
  }
  return { attempt, share };
}

function roomFor(spareBytes: number, bytesEach: number): number {
  return bytesEach <= 0 ? Number.MAX_SAFE_INTEGER : Math.floor(spareBytes / bytesEach);
}

async function renderOnce(data: DigestData, audience: DigestAudience, options: DigestOptions, listShare: number): Promise<Digest> {
  const full = buildDigestView(data, audience, options);
  const view = listShare < 1 ? shortenLists(full, listShare) : full;
  const { html, text } = await renderDigestParts(view);
  const percent = view.score.known ? view.score.percent : undefined;
  return {
    subject: view.subject,
    html,
    text,
    sizeBytes: Buffer.byteLength(view.subject) + Buffer.byteLength(html) + Buffer.byteLength(text),
    detailedFindings: view.newFindings.length + view.openGroups.reduce((n, g) => n + g.clusters.reduce((m, c) => m + c.findings.length, 0), 0),
    summary: { scanId: data.scan.id, scanStartedAt: data.scan.startedAt, open: view.totals.open, ...(percent !== undefined && { scorePercent: percent }) },
  };
}
