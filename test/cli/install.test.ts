/**
 * wiscan installed like a tool: the package `npm pack` makes, installed
 * globally into a temporary prefix, run through its `wiscan` bin from an
 * empty directory, as a person who never cloned the repository would.
 *
 * `npm pack --ignore-scripts`: the suite has just built dist/ (`npm test`
 * builds first), so prepack's build is not run a second time here. The
 * install resolves the dependencies `--prefer-offline`: from the npm cache
 * where it can, from the npm registry for what the cache lacks (a fresh cache
 * holds the dependencies' tarballs but not their metadata, so `--offline`
 * alone cannot install on a new machine).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { CHECKS } from "../../shared/checks/index.js";

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "wiscan-install-"));
const prefix = join(work, "prefix");
const home = join(work, "home");
const bin = join(prefix, "bin", "wiscan");

interface PackedFile {
  path: string;
  size: number;
}
let packed: { filename: string; size: number; unpackedSize: number; files: PackedFile[] };

async function wiscan(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // Only the install's bin directory and Node itself on PATH: nothing from the repository can leak in.
    const env = { PATH: `${join(prefix, "bin")}:${join(process.execPath, "..")}:/usr/bin:/bin`, HOME: home, NO_COLOR: "1" };
    const { stdout, stderr } = await run(bin, args, { cwd: home, env, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

beforeAll(async () => {
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { maxBuffer: 16 * 1024 * 1024 });
  packed = (JSON.parse(stdout) as (typeof packed)[])[0]!;
  await run("mkdir", ["-p", home]);
  await run("npm", ["install", "--global", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", join(work, packed.filename)], {
    maxBuffer: 16 * 1024 * 1024,
  });
  process.stdout.write(
    `[wiscan install] ${packed.filename}: ${(packed.size / 1024).toFixed(0)} kB packed, ${(packed.unpackedSize / 1024 / 1024).toFixed(2)} MB unpacked, ${packed.files.length} files\n`,
  );
}, 180_000);

describe("the npm package", () => {
  it("ships what runs and nothing else: compiled code without maps, the demo fleet, the README", () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toContain("dist/shared/cli/main.js");
    expect(paths).toContain("test/fleets/demo/azure.json");
    expect(paths).toContain("README.md");
    // npm always packs "main": the Functions app's entry (the Functions host finds it there), inert without functions/.
    const alwaysPacked = ["package.json", "README.md", "dist/functions/index.js"];
    const unexpected = paths.filter((p) => !/^dist\/(shared|simulator)\/.+\.(js|json)$/.test(p) && !p.startsWith("test/fleets/demo/") && !alwaysPacked.includes(p));
    expect(unexpected).toEqual([]);
    expect(paths.filter((p) => p.startsWith("dist/simulator/generator/") || p.endsWith("expected-findings.json"))).toEqual([]);
    // A compiled file whose source is gone is stale output: it would ship code nobody maintains.
    const stale = paths.filter((p) => p.startsWith("dist/") && !existsSync(p.replace(/^dist\//, "").replace(/\.js$/, ".ts")));
    expect(stale, "stale files in dist/: remove dist/ and build again").toEqual([]);
  });

  it("installs a `wiscan` command that prints its version and lists the checks", async () => {
    const version = await wiscan("--version");
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version);
    const checks = await wiscan("checks", "-o", "json");
    expect(checks.code, checks.stderr).toBe(0);
    expect((JSON.parse(checks.stdout) as { checks: Array<{ id: string }> }).checks.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
  });

  it("runs the demo from the installed package, and says the local store needs Azurite, which it does not install", async () => {
    const demo = await wiscan("scan", "--demo", "-o", "json", "--out", join(home, "findings.json"));
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stderr).toContain(`simulated fleet from ${join(prefix, "lib", "node_modules", "wiscan", "test", "fleets", "demo")}`);
    expect(demo.stderr).toContain("findings not saved: the demo's local store needs Azurite");
    const report = JSON.parse(readFileSync(join(home, "findings.json"), "utf8")) as { findings: unknown[]; scan: { counts: { clusters: number } } };
    expect(report.scan.counts.clusters).toBeGreaterThan(10);
    expect(report.findings.length).toBeGreaterThan(20);
    expect(existsSync(join(home, "out", "demo", "report.html"))).toBe(true);
  }, 60_000);
});
