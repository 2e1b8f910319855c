/**
 * Text from clusters and Azure (annotations, display names, subjects, log
 * lines) is written by whoever can edit those objects. On a terminal, an escape
 * sequence in it can recolour, move the cursor, rewrite earlier lines, set the
 * window title or plant a hyperlink (OSC 8); bidi and zero-width characters can
 * make a name read as something else (Trojan Source, CVE-2021-42574). Every
 * text output (table, CSV, plain text) passes values through here.
 */

// ESC [ ... final (CSI), ESC ] ... BEL or ST (OSC), ESC P/X/^/_ ... ST (DCS, SOS, PM, APC), ESC + one char;
// the 8-bit forms of CSI (U+009B) and OSC (U+009D) likewise.
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]?|\u009b[0-?]*[ -/]*[@-~]?|(?:\u001b[\]PX^_]|[\u009d\u0090\u0098\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\s\S]?/g;
/** C0 and C1 controls and DEL, except the line ends and tab that `keep` allows. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** Bidi embeddings, overrides, isolates and marks; zero-width characters; line and paragraph separators. */
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u2028\u2029\ufeff]/g;

export const REPLACEMENT = "?";

/**
 * The value with every escape sequence, control and invisible formatting
 * character replaced by "?", so that tampering shows instead of acting.
 * `keep` lists the whitespace controls a format can hold safely (CSV cells
 * keep line ends and tabs inside quotes; a table row keeps none).
 */
export function terminalSafe(value: string, keep: { newlines?: boolean; tabs?: boolean } = {}): string {
  return value
    .replace(ESCAPE_SEQUENCE, REPLACEMENT)
    .replace(CONTROL, (c) => ((keep.newlines === true && (c === "\n" || c === "\r")) || (keep.tabs === true && c === "\t") ? c : REPLACEMENT))
    .replace(INVISIBLE, REPLACEMENT);
}

/** True when the value holds nothing terminalSafe would replace. */
export function isTerminalSafe(value: string): boolean {
  return terminalSafe(value, { newlines: true, tabs: true }) === value;
}
