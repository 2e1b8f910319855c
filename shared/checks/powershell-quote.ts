/**
 * PowerShell quoting for values that come from a cluster or from Azure and end
 * up in a command a person pastes into PowerShell.
 *
 * A single-quoted string is verbatim: nothing inside is expanded, neither `$`,
 * `$(...)`, a backtick, `;` nor a line break (about_Quoting_Rules, "Single-quoted
 * strings"). The only character that ends it is a single quote, and PowerShell
 * takes five characters for one: U+0027 and the typographic U+2018, U+2019,
 * U+201A and U+201B (PowerShell language specification 3.0, §2.3.5.2,
 * single-quote-character; about_Quoting_Rules: "PowerShell treats smart
 * quotation marks ... as normal quotation marks"). Two of them in a row stand
 * for the second one, so each is written twice.
 */

/** The characters PowerShell ends a single-quoted string on. */
export const POWERSHELL_SINGLE_QUOTES = ["'", "\u2018", "\u2019", "\u201A", "\u201B"] as const;

const SINGLE_QUOTE_CHARACTERS = /['\u2018-\u201B]/g;

/**
 * Arguments PowerShell reads as one bare word in argument mode and passes on
 * unchanged. Left out on purpose: `$ @ ( ) { } ; , | & < > # ` " '` and `%`
 * (`--%` stops parsing); a leading digit or `.` (argument mode reads `1e5`,
 * `0x10` or `10kb` as numbers); and a leading `-` with `.` or `:` after it,
 * which PowerShell splits when calling a native program (`-a.b` arrives as
 * `-a` `.b`).
 */
const BARE = /^(?:[A-Za-z_/][A-Za-z0-9_./:=+-]*|--?[A-Za-z][A-Za-z0-9-]*)$/;

/**
 * Quotes one argument so that PowerShell passes it on unchanged.
 *
 * @example
 * powershellQuote("my-sa")            // my-sa
 * powershellQuote("it's $(rm -rf)")   // 'it''s $(rm -rf)'
 * powershellQuote("a\u2019; calc")    // 'a\u2019\u2019; calc'
 */
export function powershellQuote(value: string): string {
  return BARE.test(value) ? value : powershellString(value);
}

/** A single-quoted (verbatim) PowerShell string holding exactly `value`. */
export function powershellString(value: string): string {
  return `'${value.replace(SINGLE_QUOTE_CHARACTERS, (quote) => quote + quote)}'`;
}
