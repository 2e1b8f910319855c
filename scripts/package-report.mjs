#!/usr/bin/env node
/**
 * The files `azd deploy` uploads for the Function App: the repository's files
 * minus what .funcignore leaves out (gitignore syntax, the subset .funcignore
 * uses: `dir/`, `/anchored`, `*` globs, `#` comments). Prints the list and
 * the total size; `--json` prints { files: [{ path, bytes }], totalBytes }.
 *
 *   node scripts/package-report.mjs            # the list, then the total
 *   node scripts/package-report.mjs --json     # for tests and scripts
 *   node scripts/package-report.mjs --no-ignore  # what would go without .funcignore
 *
 * Why this and not `npm pack`: azd deploys a Flex Consumption app as a zip of
 * the project folder filtered by .funcignore (not by package.json "files"),
 * and with remoteBuild the platform installs and builds it; see docs/deploy.md.
 */
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** .funcignore patterns as predicates over a repository-relative path (with `/`) and whether it is a directory. */
export function parseIgnore(text) {
  const rules = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("!")) throw new Error(`negated patterns are not supported by this report: ${line}`);
    const dirOnly = line.endsWith("/");
    let pattern = dirOnly ? line.slice(0, -1) : line;
    // A pattern with a slash inside (or a leading one) is relative to the root; otherwise it matches at any depth.
    const anchored = pattern.startsWith("/") || pattern.includes("/");
    pattern = pattern.replace(/^\//, "");
    const source = pattern
      .split("")
      .map((c) => (c === "*" ? "[^/]*" : c === "?" ? "[^/]" : /[.+^${}()|[\]\\]/.test(c) ? `\\${c}` : c))
      .join("");
    const regex = new RegExp(anchored ? `^${source}$` : `(^|/)${source}$`);
    rules.push({ line, dirOnly, regex });
  }
  return (path, isDir) => rules.some((r) => (!r.dirOnly || isDir) && r.regex.test(path));
}

export function packageFiles(dir = root, { ignore = true } = {}) {
  const ignoreFile = join(dir, ".funcignore");
  const ignored = ignore && existsSync(ignoreFile) ? parseIgnore(readFileSync(ignoreFile, "utf8")) : () => false;
  const files = [];
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      const path = relative(dir, full).split(sep).join("/");
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) {
        if (!ignored(path, true)) walk(full);
      } else if (entry.isFile() && !ignored(path, false)) {
        files.push({ path, bytes: statSync(full).size });
      }
    }
  };
  walk(dir);
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { files, totalBytes: files.reduce((sum, f) => sum + f.bytes, 0) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const report = packageFiles(root, { ignore: !process.argv.includes("--no-ignore") });
  if (process.argv.includes("--json")) {
    process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  } else {
    for (const f of report.files) process.stdout.write(`${String(f.bytes).padStart(10)}  ${f.path}\n`);
    process.stdout.write(`${report.files.length} files, ${report.totalBytes} bytes (${(report.totalBytes / 1024).toFixed(1)} KiB)\n`);
  }
}
