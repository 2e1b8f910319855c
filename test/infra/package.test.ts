/**
 * What `azd deploy` uploads (scripts/package-report.mjs: the repository minus
 * .funcignore): the app's sources, host.json and the npm manifests, none of the
 * tests, benchmarks, simulator, local state or installed packages, and small.
 * Every relative import of a shipped source resolves to a shipped source, so
 * the remote build (`npm run build` on the package) compiles.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, posix } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const report = JSON.parse(execFileSync(process.execPath, ["scripts/package-report.mjs", "--json"], { cwd: root, encoding: "utf8" })) as {
  files: Array<{ path: string; bytes: number }>;
  totalBytes: number;
};
const paths = report.files.map((f) => f.path);

/**
 * Measured when .funcignore was written: 225 files, 1,165,745 bytes (248 KB of
 * it package-lock.json); without it the upload was 1,864 files and 10.6 MB
 * besides node_modules (39,848 files, 446 MB with it). The bounds leave room
 * for the app to grow, not for a directory to slip back in.
 */
const MAX_BYTES = 2_000_000;
const MAX_FILES = 400;

describe("the deployment package", () => {
  it("leaves out version control, local state, outputs, installed packages, tests, benchmarks, the simulator and the CLI", () => {
    const refused = [".git/", ".wiscan/", "out/", "bench-results/", "dist/", "node_modules/", "test/", "bench/", "simulator/", "shared/cli/", "docs/", "infra/", "scripts/", ".ci/"];
    expect(paths.filter((p) => refused.some((r) => p.startsWith(r)))).toEqual([]);
    expect(paths.filter((p) => /(^|\/)local\.settings(\.sample)?\.json$/.test(p) || p.endsWith(".log"))).toEqual([]);
  });

  it("holds what the remote build and the host need", () => {
    for (const needed of ["host.json", "package.json", "package-lock.json", "tsconfig.json", ".npmrc", "functions/index.ts"]) expect(paths, needed).toContain(needed);
    expect(paths.some((p) => p.startsWith("shared/digest/"))).toBe(true);
  });

  it(`stays under ${MAX_FILES} files and ${MAX_BYTES} bytes`, () => {
    expect(report.files.length).toBeLessThan(MAX_FILES);
    expect(report.totalBytes).toBeLessThan(MAX_BYTES);
    expect(report.totalBytes).toBe(report.files.reduce((s, f) => s + f.bytes, 0));
  });

  it("ships every source a shipped source imports", () => {
    const shipped = new Set(paths);
    const missing: string[] = [];
    for (const path of paths.filter((p) => p.endsWith(".ts"))) {
      const text = readFileSync(new URL(path, root), "utf8");
      for (const m of text.matchAll(/\b(?:import|export)\s[^"']*?from\s+["'](\.{1,2}\/[^"']+)["']|\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)) {
        const spec = (m[1] ?? m[2])!;
        const target = posix.normalize(posix.join(dirname(path), spec));
        const candidates = [target, target.replace(/\.js$/, ".ts"), `${target}.ts`, `${target}/index.ts`];
        if (!candidates.some((c) => shipped.has(c))) missing.push(`${path} -> ${spec}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
