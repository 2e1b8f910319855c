/**
 * Splits a Kubernetes list response (`{"kind":"PodList","metadata":{...},
 * "items":[{...},{...}]}`) into its items while the bytes arrive, so that no
 * page is ever held whole: one item is parsed at a time, and what stays
 * alive is one network chunk and one object. A page of 500 pods is ~2 MB of
 * text and ~10 MB of objects when parsed at once; on a 20,000-pod cluster
 * that, times the pages the garbage collector has not reached yet, was most
 * of the scanner's memory (docs/benchmarks.md).
 *
 * It only finds the boundaries of the items (nesting counted byte by byte
 * outside strings; a string's contents skipped to the next quote, and the
 * backslashes before that quote counted to tell an escaped one; UTF-8
 * continuation bytes never look like JSON punctuation) and hands each item
 * over as its bytes; the caller parses the ones it wants. Everything outside
 * the items array (kind, apiVersion, metadata with the continue token) is
 * returned by `end()` as the list with `items: []`.
 */

import { endsInLoneBackslash, stringEnd } from "./json-string.js";

const QUOTE = 0x22;
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
  /** The last chunk ended inside a string with a lone backslash: the next chunk's first byte is escaped. */
  private escaped = false;
  private inItems = false;
  private itemsDone = false;
  /** An item is open: its bytes so far, from chunks that ended before it did. */
  private itemOpen = false;
  private itemPieces: Buffer[] = [];
  private scratch = Buffer.alloc(0);
  /** Everything outside the items array, to parse as the list's envelope. */
  private readonly envelope: Buffer[] = [];
  /** The last string at depth 1, a key when a value follows it; `keyOpen` while it is being read. */
  private key: Buffer[] = [];
  private keyOpen = false;

  /** `onItem` gets each item's bytes, valid only until it returns (they may be the splitter's scratch buffer, reused for the next item). */
  constructor(private readonly onItem: (json: Buffer) => void) {}

  write(chunk: Buffer): void {
    const length = chunk.length;
    if (length === 0) return;
    // The state lives in locals while the loop runs: this is the scanner's hottest loop.
    let depth = this.depth;
    let envelopeFrom = this.inItems ? -1 : 0;
    let itemStart = this.itemOpen ? 0 : -1;
    let keyStart = this.keyOpen ? 0 : -1;
    let i = 0;
    if (this.inString) {
      // A string the previous chunk left open (its first byte here escaped if that chunk ended in a lone backslash).
      const from = this.escaped ? 1 : 0;
      const close = stringEnd(chunk, from);
      if (close === -1) {
        this.escaped = endsInLoneBackslash(chunk, from);
        i = length;
      } else {
        this.inString = false;
        this.escaped = false;
        if (keyStart !== -1) {
          this.keyEnds(chunk.subarray(keyStart, close + 1));
          keyStart = -1;
        }
        i = close + 1;
      }
    }
    for (; i < length; i++) {
      const byte = chunk[i]!;
      if (byte === QUOTE) {
        // Most of a list's bytes are inside strings: skipped whole, to the closing quote.
        if (depth === 1) {
          this.key = [];
          this.keyOpen = true;
          keyStart = i;
        } else if (depth === 2 && this.inItems) throw new MalformedAnswerError("a list item is not an object");
        const close = stringEnd(chunk, i + 1);
        if (close === -1) {
          this.inString = true;
          this.escaped = endsInLoneBackslash(chunk, i + 1);
          break;
        }
        if (keyStart !== -1) {
          this.keyEnds(chunk.subarray(keyStart, close + 1));
          keyStart = -1;
        }
        i = close;
        continue;
      }
      if (depth > 2) {
        // Inside an item (or deep in the envelope): only nesting matters.
        if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth += 1;
        else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
          depth -= 1;
          if (depth === 2 && this.inItems) {
            if (byte !== CLOSE_BRACE) throw new MalformedAnswerError("unbalanced brackets");
            const tail = chunk.subarray(itemStart, i + 1);
            const bytes = this.itemPieces.length > 0 ? this.joined(tail) : tail;
            this.itemOpen = false;
            itemStart = -1;
            this.onItem(bytes);
          }
        }
        continue;
      }
      switch (byte) {
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

  /**
   * An item's pieces and its tail, copied into the splitter's scratch buffer
   * rather than a new one: most items span two chunks, and a new buffer for
   * each was garbage by the time the next arrived.
   */
  private joined(tail: Buffer): Buffer {
    let size = tail.length;
    for (const piece of this.itemPieces) size += piece.length;
    if (this.scratch.length < size) this.scratch = Buffer.allocUnsafe(Math.max(size, 2 * this.scratch.length));
    let at = 0;
    for (const piece of this.itemPieces) at += piece.copy(this.scratch, at);
    tail.copy(this.scratch, at);
    this.itemPieces = [];
    return this.scratch.subarray(0, size);
  }

  /** A string at depth 1 closed with these bytes: it is the last key read. */
  private keyEnds(lastPiece: Buffer): void {
    this.key.push(lastPiece);
    this.keyOpen = false;
  }

  private keyIsItems(): boolean {
    const key = this.key.length === 1 ? this.key[0]! : Buffer.concat(this.key);
    return key.equals(ITEMS_KEY);
  }
}
