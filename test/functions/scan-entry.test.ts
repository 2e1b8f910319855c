/**
 * The compiled entry must load under plain Node as the Functions worker loads
 * it (an ESM import of dist/functions/index.js): vitest resolves CommonJS
 * packages more leniently than Node, so a class imported by name from
 * @azure/functions passes here and crashes there. The entry and what it
 * imports are compiled with the project's settings into a scratch folder
 * (type errors are the typecheck's business, not this test's), then imported
 * by a child process.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCRATCH = `${ROOT}/node_modules/.cache/wiscan-entry-test`;

describe("the compiled Functions entry", () => {
  it("loads in plain Node and registers every function", async () => {
    await rm(SCRATCH, { recursive: true, force: true });
    await mkdir(SCRATCH, { recursive: true });
    await writeFile(
      `${SCRATCH}/tsconfig.json`,
      JSON.stringify({
        extends: "../../../tsconfig.json",
        compilerOptions: { rootDir: "../../..", outDir: "./out", sourceMap: false, noEmit: false },
        files: ["../../../functions/index.ts"],
        include: [],
      }),
    );
    await run(process.execPath, [`${ROOT}/node_modules/typescript/bin/tsc`, "-p", `${SCRATCH}/tsconfig.json`], { cwd: ROOT }).catch(() => undefined);
    expect(existsSync(`${SCRATCH}/out/functions/index.js`)).toBe(true);
    // The worker finds "type": "module" in the app's package.json; the scratch folder needs its own.
    await writeFile(`${SCRATCH}/out/package.json`, JSON.stringify({ type: "module" }));

    const { stdout, stderr } = await run(process.execPath, ["--input-type=module", "-e", "await import('./out/functions/index.js'); console.log('loaded');"], {
      cwd: SCRATCH,
    });
    expect(stdout.trim()).toBe("loaded");
    // Outside the host the package registers nothing and says so, once per function.
    const skipped = [...stderr.matchAll(/Skipping call to register function "([^"]+)"/g)].map((m) => m[1]);
    expect(skipped).toEqual(
      expect.arrayContaining([
        "weekly-scan",
        "scans-start",
        "fleet-scan",
        "fleet-scan-cluster-range",
        "fleet-scan-inventory",
        "fleet-scan-cluster",
        "fleet-scan-cluster-failure",
        "fleet-scan-fleet-checks",
        "fleet-scan-complete",
        "fleet-scan-compare",
        "fleet-scan-digest",
        "fleet-scan-cleanup",
        "findings-list",
        "scans-get",
        "digests-resend",
        "retention-cleanup",
        "digest-retry",
      ]),
    );
  }, 180_000);
});
