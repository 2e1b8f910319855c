/**
 * Where a JSON string ends, found in raw bytes without decoding them: the
 * scanner's byte-level passes over API server answers (the list splitter,
 * the managedFields cut) skip a string's contents whole with it instead of
 * testing every byte for a quote and a backslash.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The index of the quote that closes a string whose contents continue at
 * `from` (a byte not escaped), or -1 when the chunk ends first. A quote is
 * escaped when an odd run of backslashes precedes it; the run is counted
 * back no further than `from`, where escaping starts afresh.
 */
export function stringEnd(chunk: Buffer, from: number): number {
  for (let quote = nextQuote(chunk, from); quote !== -1; quote = nextQuote(chunk, quote + 1)) {
    if (!oddBackslashesBefore(chunk, from, quote)) return quote;
  }
  return -1;
}

/**
 * Most strings of a list are short (13 bytes on average in a page of pods
 * with their managedFields): a loop over the first bytes finds their quote
 * sooner than a call to `indexOf` would; a longer string is left to it.
 */
const NEAR_BYTES = 24;

function nextQuote(chunk: Buffer, from: number): number {
  const near = Math.min(chunk.length, from + NEAR_BYTES);
  for (let i = from; i < near; i++) if (chunk[i] === QUOTE) return i;
  return near === chunk.length ? -1 : chunk.indexOf(QUOTE, near);
}

/** The chunk ends inside a string with a backslash that escapes the next chunk's first byte. */
export function endsInLoneBackslash(chunk: Buffer, from: number): boolean {
  return oddBackslashesBefore(chunk, from, chunk.length);
}

function oddBackslashesBefore(chunk: Buffer, from: number, at: number): boolean {
  let before = at - 1;
  while (before >= from && chunk[before] === BACKSLASH) before--;
  return ((at - 1 - before) & 1) === 1;
}
