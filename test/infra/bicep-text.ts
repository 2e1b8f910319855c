/**
 * Just enough of Bicep's syntax to read what the consistency tests need from
 * the templates' text (the Bicep compiler cannot be installed here): the keys
 * of one object literal, and parameter defaults. Tolerant by design: it skips
 * strings (with their `${...}` interpolations), comments and nested values.
 */

/** The source with comments replaced by spaces and string contents by `_`, so offsets stay valid. */
export function blankCommentsAndStrings(source: string): string {
  let out = "";
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i, i + 3);
    if (rest.startsWith("//")) {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? source.length : end;
      out += " ".repeat(stop - i);
      i = stop;
    } else if (rest.startsWith("/*")) {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (rest === "'''") {
      const end = source.indexOf("'''", i + 3);
      const stop = end === -1 ? source.length : end + 3;
      out += "'" + source.slice(i + 1, stop - 1).replace(/[^\n]/g, "_") + "'";
      i = stop;
    } else if (source[i] === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== "'") j += source[j] === "\\" ? 2 : 1;
      out += "'" + "_".repeat(Math.max(0, j - i - 1)) + "'";
      i = j + 1;
    } else {
      out += source[i];
      i += 1;
    }
  }
  return out;
}

/**
 * The keys written directly inside the object literal that follows `anchor`
 * (the first `{` after it). Nested objects' keys are not included.
 *
 * @example
 *   objectKeys(text, "resource appSettings 'Microsoft.Web/sites/config", "properties:")
 */
export function objectKeys(source: string, ...anchors: string[]): string[] {
  const text = blankCommentsAndStrings(source);
  let at = 0;
  for (const anchor of anchors) {
    const found = text.indexOf(anchor, at);
    if (found === -1) throw new Error(`"${anchor}" not found`);
    at = found + anchor.length;
  }
  const open = text.indexOf("{", at);
  if (open === -1) throw new Error(`no object after "${anchors.join(" ... ")}"`);

  const keys: string[] = [];
  let depth = 0;
  let lineStart = true;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === "{" || c === "[" || c === "(") depth += 1;
    else if (c === "}" || c === "]" || c === ")") {
      depth -= 1;
      if (depth === 0) return keys;
    } else if (c === "\n") {
      lineStart = true;
      continue;
    } else if (lineStart && depth === 1 && /\S/.test(c)) {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(text.slice(i));
      if (match) keys.push(match[1]!);
    }
    if (/\S/.test(c)) lineStart = false;
  }
  throw new Error(`unbalanced object after "${anchors.join(" ... ")}"`);
}

/** `param name type = default` lines: the default's source text, by parameter name. */
export function parameterDefaults(source: string): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const match of source.matchAll(/^param\s+([A-Za-z_][A-Za-z0-9_]*)\s+\w+\s*=\s*(.+?)\s*$/gm)) {
    defaults.set(match[1]!, match[2]!);
  }
  return defaults;
}

/** A Bicep value read from source: literals as JavaScript values, anything computed as its expression text. */
export type BicepValue = string | number | boolean | null | { expr: string } | BicepValue[] | { [key: string]: BicepValue };

/**
 * The object literal that follows `anchors` (the first `{` after the last
 * one), read into JavaScript: strings keep their `${...}` interpolations as
 * written, expressions (references, calls, ternaries) become `{ expr }`.
 * Enough for resource bodies; not a Bicep compiler.
 *
 * @example
 *   const auth = objectLiteral(text, "resource authSettings ") as Record<string, BicepValue>;
 *   auth.name // 'authsettingsV2'
 */
export function objectLiteral(source: string, ...anchors: string[]): BicepValue {
  const blanked = blankCommentsAndStrings(source);
  let at = 0;
  for (const anchor of anchors) {
    const found = blanked.indexOf(anchor, at);
    if (found === -1) throw new Error(`"${anchor}" not found`);
    at = found + anchor.length;
  }
  const open = blanked.indexOf("{", at);
  if (open === -1) throw new Error(`no object after "${anchors.join(" ... ")}"`);
  return new BicepReader(source, open).value();
}

class BicepReader {
  constructor(
    private readonly text: string,
    private at: number,
  ) {}

  value(): BicepValue {
    this.skipSpace(true);
    const c = this.text[this.at];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    const start = this.at;
    if (c === "'") {
      const literal = this.string();
      if (this.restOfLineIsEmpty()) return literal;
      this.at = start;
    }
    const expr = this.expression();
    if (expr === "true" || expr === "false") return expr === "true";
    if (expr === "null") return null;
    if (/^-?\d+$/.test(expr)) return Number(expr);
    return { expr };
  }

  private object(): { [key: string]: BicepValue } {
    const result: { [key: string]: BicepValue } = {};
    this.at += 1;
    for (;;) {
      this.skipSpace(true, true);
      if (this.text[this.at] === "}") {
        this.at += 1;
        return result;
      }
      let key: string;
      if (this.text[this.at] === "'") key = this.string();
      else {
        const name = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(this.text.slice(this.at))?.[0];
        if (name === undefined) throw new Error(`unreadable key at ${this.where()}`);
        key = name;
        this.at += name.length;
      }
      this.skipSpace(false);
      if (this.text[this.at] !== ":") throw new Error(`":" expected after ${key} at ${this.where()}`);
      this.at += 1;
      result[key] = this.value();
    }
  }

  private array(): BicepValue[] {
    const result: BicepValue[] = [];
    this.at += 1;
    for (;;) {
      this.skipSpace(true, true);
      if (this.text[this.at] === "]") {
        this.at += 1;
        return result;
      }
      result.push(this.value());
    }
  }

  /** A '...' string at the cursor: its content, escapes resolved, interpolations kept as written. */
  private string(): string {
    if (this.text.startsWith("'''", this.at)) {
      const end = this.text.indexOf("'''", this.at + 3);
      if (end === -1) throw new Error(`unterminated ''' at ${this.where()}`);
      const content = this.text.slice(this.at + 3, end);
      this.at = end + 3;
      return content;
    }
    let out = "";
    this.at += 1;
    while (this.at < this.text.length) {
      const c = this.text[this.at]!;
      if (c === "\\") {
        const next = this.text[this.at + 1]!;
        out += ({ n: "\n", r: "\r", t: "\t" } as Record<string, string>)[next] ?? next;
        this.at += 2;
      } else if (c === "'") {
        this.at += 1;
        return out;
      } else if (this.text.startsWith("${", this.at)) {
        const start = this.at;
        this.at += 2;
        this.skipBalanced("}");
        out += this.text.slice(start, this.at);
      } else {
        out += c;
        this.at += 1;
      }
    }
    throw new Error("unterminated string");
  }

  /** An expression up to the end of its line (or a `,` / closing bracket of the enclosing literal). */
  private expression(): string {
    const start = this.at;
    while (this.at < this.text.length) {
      const c = this.text[this.at]!;
      if (c === "\n" || c === "," || c === "}" || c === "]" || this.text.startsWith("//", this.at)) break;
      if (c === "'") this.string();
      else if (c === "(" || c === "[" || c === "{") {
        this.at += 1;
        this.skipBalanced({ "(": ")", "[": "]", "{": "}" }[c]!);
      } else this.at += 1;
    }
    const expr = this.text.slice(start, this.at).trim();
    if (expr === "") throw new Error(`value expected at ${this.where()}`);
    return expr;
  }

  /** Past the `close` that balances what was opened just before the cursor. */
  private skipBalanced(close: string): void {
    while (this.at < this.text.length) {
      const c = this.text[this.at]!;
      if (c === close) {
        this.at += 1;
        return;
      }
      if (c === "'") this.string();
      else if (c === "(" || c === "[" || c === "{") {
        this.at += 1;
        this.skipBalanced({ "(": ")", "[": "]", "{": "}" }[c]!);
      } else this.at += 1;
    }
    throw new Error(`"${close}" expected`);
  }

  private skipSpace(newlines: boolean, commas = false): void {
    while (this.at < this.text.length) {
      const c = this.text[this.at]!;
      if (c === " " || c === "\t" || c === "\r" || (newlines && c === "\n") || (commas && c === ",")) this.at += 1;
      else if (this.text.startsWith("//", this.at)) {
        const end = this.text.indexOf("\n", this.at);
        this.at = end === -1 ? this.text.length : end;
      } else if (this.text.startsWith("/*", this.at)) {
        const end = this.text.indexOf("*/", this.at + 2);
        this.at = end === -1 ? this.text.length : end + 2;
      } else return;
    }
  }

  private restOfLineIsEmpty(): boolean {
    const save = this.at;
    this.skipSpace(false);
    const c = this.text[this.at];
    const empty = c === undefined || c === "\n" || c === "," || c === "}" || c === "]";
    this.at = save;
    return empty;
  }

  private where(): string {
    return `line ${this.text.slice(0, this.at).split("\n").length}`;
  }
}
