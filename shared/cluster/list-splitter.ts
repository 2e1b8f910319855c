/**
 * Splits a Kubernetes list response (`{"kind":"PodList","metadata":{...},
 * "items":[{...},{...}]}`) into its items while the bytes arrive, so that no
 * page is ever held whole: one item is parsed at a time, and what stays
 * alive is one network chunk and one object. A page of 500 pods is ~2 MB of
 * text and ~10 MB of objects when parsed at once; on a 20,000-pod cluster
 * that, times the pages the garbage collector has not reached yet, was most
 * of the scanner's memory (docs/benchmarks.md).
 *
 * It only finds the boundaries of the items (tracking strings, escapes and
 * nesting byte by byte; UTF-8 continuation bytes never look like JSON
 * punctuation) and hands each item over as its bytes; the caller parses the
ones it wants. Everything outside the items
 * array (kind, apiVersion, metadata with the continue token) is returned by
 * `end()` as the list with `items: []`.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
/** JSON whitespace is space, tab, line feed and carriage return: all at or below it. */
const SPACE = 0x20;
const ITEMS_KEY = Buffer.from('"items"');

export class MalformedAnswerError extends Error {
  override readonly name = "MalformedAnswerError";
}

export class ListSplitter {
  /** Nesting depth outside strings: 1 inside the list object, 2 inside its items array, 3+ inside an item. */
  private depth = 0;
  private inString = false;
  /** The previous byte inside a string was an unescaped backslash. */
  private escaped = false;
  private inItems = false;
  private itemsDone = false;
  /** An item is open: its bytes so far, from chunks that ended before it did. */
  private itemOpen = false;
  private itemPieces: Buffer[] = [];
  /** Everything outside the items array, to parse as the list's envelope. */
  private readonly envelope: Buffer[] = [];
  /** The last string at depth 1, a key when a value follows it; `keyOpen` while it is being read. */
  private key: Buffer[] = [];
  private keyOpen = false;

  constructor(private readonly onItem: (json: Buffer) => void) {}

  write(chunk: Buffer): void {
    // The state lives in locals while the loop runs: this is the scanner's hottest loop.
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    let envelopeFrom = this.inItems ? -1 : 0;
    let itemStart = this.itemOpen ? 0 : -1;
    let keyStart = this.keyOpen ? 0 : -1;
    const length = chunk.length;
    scan: for (let i = 0; i < length; i++) {
      let byte = chunk[i]!;
      if (inString) {
        if (escaped) {
          escaped = false;
          continue;
        }
        // Most of a list's bytes are inside strings: a tight loop to the next quote or backslash.
        while (byte !== QUOTE && byte !== BACKSLASH) {
          if (++i === length) break scan;
          byte = chunk[i]!;
        }
        if (byte === BACKSLASH) {
          escaped = true;
          continue;
        }
        inString = false;
        if (keyStart !== -1) {
          this.key.push(chunk.subarray(keyStart, i + 1));
          this.keyOpen = false;
          keyStart = -1;
        }
        continue;
      }
      if (depth > 2) {
        // Inside an item (or deep in the envelope): only strings and nesting matter.
        if (byte === QUOTE) inString = true;
        else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth += 1;
        else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
          depth -= 1;
          if (depth === 2 && this.inItems) {
            if (byte !== CLOSE_BRACE) throw new MalformedAnswerError("unbalanced brackets");
            const tail = chunk.subarray(itemStart, i + 1);
            const bytes = this.itemPieces.length > 0 ? Buffer.concat([...this.itemPieces, tail]) : tail;
            this.itemPieces = [];
            this.itemOpen = false;
            itemStart = -1;
            this.onItem(bytes);
          }
        }
        continue;
      }
      switch (byte) {
        case QUOTE:
          inString = true;
          if (depth === 1) {
            this.key = [];
            this.keyOpen = true;
            keyStart = i;
          }
          break;
        case OPEN_BRACE:
        case OPEN_BRACKET:
          if (this.inItems && depth === 2) {
            if (byte !== OPEN_BRACE) throw new MalformedAnswerError("a list item is not an object");
            this.itemOpen = true;
            itemStart = i;
          }
          depth += 1;
          if (byte === OPEN_BRACKET && depth === 2 && this.keyIsItems()) {
            if (this.itemsDone) throw new MalformedAnswerError("the list has two items arrays");
            this.inItems = true;
            this.envelope.push(chunk.subarray(envelopeFrom, i + 1));
            envelopeFrom = -1;
          }
          break;
        case CLOSE_BRACE:
        case CLOSE_BRACKET:
          depth -= 1;
          if (depth < 0) throw new MalformedAnswerError("unbalanced brackets");
          if (this.inItems && depth === 1) {
            this.inItems = false;
            this.itemsDone = true;
            envelopeFrom = i;
          }
          break;
        default:
          if (this.inItems && depth === 2 && byte !== COMMA && byte > SPACE) throw new MalformedAnswerError("a list item is not an object");
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    if (itemStart !== -1) this.itemPieces.push(chunk.subarray(itemStart));
    if (keyStart !== -1) this.key.push(chunk.subarray(keyStart));
    if (envelopeFrom !== -1) this.envelope.push(chunk.subarray(envelopeFrom));
  }

  /** The list without its items (`items: []` when it had an array), once every byte is in. */
  end<T>(): T {
    if (this.depth !== 0 || this.inString) throw new MalformedAnswerError("the list ended before it was complete");
    const text = Buffer.concat(this.envelope).toString("utf8");
    try {
      return JSON.parse(text) as T;
    } catch {
      // Not the parser's message: it quotes the text around the error.
      throw new MalformedAnswerError("the list is not valid JSON");
    }
  }

  private keyIsItems(): boolean {
    const key = this.key.length === 1 ? this.key[0]! : Buffer.concat(this.key);
    return key.equals(ITEMS_KEY);
  }
}
