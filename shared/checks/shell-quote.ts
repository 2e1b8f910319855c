/**
 * POSIX shell quoting for values that come from a cluster or from Azure and end
 * up in a command a person pastes. Inside single quotes a POSIX shell expands
 * nothing (`$(...)`, `;`, backticks and newlines are all literal), so a hostile
 * label or annotation value can only ever be one literal argument.
 */

/** Characters that never need quoting anywhere in an argument. `~`, `{`, `*`, `=` and `!` are left out on purpose. */
const BARE = /^[A-Za-z0-9_./:@%+,-]+$/;

/**
 * Quotes one argument so that a POSIX shell reads it back unchanged.
 *
 * @example
 * shellQuote("my-sa")          // my-sa
 * shellQuote("it's $(rm -rf)") // 'it'\''s $(rm -rf)'
 */
export function shellQuote(value: string): string {
  if (value !== "" && BARE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
