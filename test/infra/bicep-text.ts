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
