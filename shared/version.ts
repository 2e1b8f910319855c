import { readFileSync } from "node:fs";

/**
 * The package version, read once from package.json next to the compiled tree
 * (dist/shared/version.js) or the sources (vitest). Shared by the CLI and the
 * Functions app, whose package leaves shared/cli out (.funcignore).
 */
export const TOOL_VERSION: string = (() => {
  for (const candidate of ["../../package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "wiscan" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // try the next layout (compiled dist/ or source under vitest)
    }
  }
  return "0.0.0";
})();
