/**
 * metadata.managedFields cut out of an object's JSON bytes before it is
 * parsed. API servers return them on every object of a list, a third to a
 * half of a real object's bytes, and no check reads them: parsing them into
 * objects only to drop them was most of the CPU a scan spends on workloads
 * (docs/benchmarks.md, "Real object sizes").
 */

import { stringEnd } from "./json-string.js";

const KEY = Buffer.from('"managedFields":');
const QUOTE = 0x22;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;

/**
 * The bytes of one object without its `"managedFields": [...]` member (and the
 * comma that joined it), or the bytes unchanged when no member of that name
 * holds an array. The key's quotes cannot occur unescaped inside a JSON
 * string, so every match is a member name; one whose value is no array (a
 * label or annotation called so) is passed over, and the array is skipped by
 * counting brackets outside strings (a string's contents skipped whole).
 */
export function withoutManagedFields(bytes: Buffer): Buffer {
  for (let at = bytes.indexOf(KEY); at !== -1; at = bytes.indexOf(KEY, at + KEY.length)) {
    let i = at + KEY.length;
    while (isSpace(bytes[i])) i++;
    if (bytes[i] !== OPEN) continue;
    const end = arrayEnd(bytes, i);
    return end === -1 ? bytes : cut(bytes, at, end);
  }
  return bytes;
}

/** The bytes without the member from `at` to the array's end at `end`, and its comma. */
function cut(bytes: Buffer, at: number, end: number): Buffer {
  let start = at;
  let stop = end + 1;
  while (isSpace(bytes[stop])) stop++;
  if (bytes[stop] === COMMA) stop++;
  else {
    // The last member: take the comma before it instead.
    let before = at - 1;
    while (before >= 0 && isSpace(bytes[before])) before--;
    if (bytes[before] === COMMA) start = before;
  }
  return Buffer.concat([bytes.subarray(0, start), bytes.subarray(stop)]);
}

/** The index of the bracket closing the array opened at `open`, or -1. */
function arrayEnd(bytes: Buffer, open: number): number {
  let depth = 0;
  for (let i = open; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      i = stringEnd(bytes, i + 1);
      if (i === -1) return -1;
    } else if (c === OPEN || c === OPEN_BRACE) depth++;
    else if (c === CLOSE || c === CLOSE_BRACE) {
      depth--;
      if (depth === 0) return c === CLOSE ? i : -1;
    }
  }
  return -1;
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
