/**
 * infra/scripts/enable-console-sign-in.sh, alone and from the postprovision
 * hook, against a stand-in `az` (no tenant here): the API's registration gets
 * the app's sign-in callback and ID tokens, so browsers can open the console.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const script = (name: string) => fileURLToPath(new URL(`../../infra/scripts/${name}`, import.meta.url));
const API_APP = "aaaaaaaa-0000-4000-8000-000000000001";
const HOST = "func-wiscan-test.azurewebsites.net";

const dir = mkdtempSync(join(tmpdir(), "wiscan-console-az-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "az"), `#!/usr/bin/env bash\nprintf 'az %s\\n' "$*" >> "$FAKE_LOG"\nexit 0\n`);
chmodSync(join(dir, "az"), 0o755);

function run(name: string, args: string[], env: Record<string, string> = {}): { calls: string[]; stdout: string } {
  const log = join(dir, `log-${Math.random().toString(36).slice(2)}`);
  writeFileSync(log, "");
  let stdout = "";
  try {
    stdout = execFileSync("bash", [script(name), ...args], { env: { PATH: `${dir}:${process.env.PATH}`, HOME: dir, FAKE_LOG: log, ...env }, stdio: ["ignore", "pipe", "pipe"] }).toString();
  } catch (error) {
    stdout = String((error as { stdout?: Buffer }).stdout ?? "");
  }
  return { calls: readFileSync(log, "utf8").split("\n").filter(Boolean), stdout };
}

describe("console sign-in", () => {
  it("registers the app's callback and ID tokens on the API's registration, and prints the console's address", () => {
    const { calls, stdout } = run("enable-console-sign-in.sh", [API_APP, HOST]);
    expect(calls).toEqual([
      `az ad app update --id ${API_APP} --web-redirect-uris https://${HOST}/.auth/login/aad/callback --enable-id-token-issuance true --output none`,
    ]);
    expect(stdout).toContain(`https://${HOST}/.auth/login/aad?post_login_redirect_uri=/api/console`);
  });

  it("refuses a host name that is not one", () => {
    expect(run("enable-console-sign-in.sh", [API_APP, "evil.example/x?y"]).calls).toEqual([]);
  });

  it("is run by the postprovision hook with the deployment's outputs", () => {
    const { calls } = run("postprovision.sh", [], {
      SCANNER_PRINCIPAL_ID: "bbbbbbbb-0000-4000-8000-000000000002",
      WISCAN_API_APPLICATION_ID_URI: `api://${API_APP}`,
      FINDINGS_API_BASE_URL: `https://${HOST}/api`,
    });
    expect(calls).toContain(
      `az ad app update --id ${API_APP} --web-redirect-uris https://${HOST}/.auth/login/aad/callback --enable-id-token-issuance true --output none`,
    );
  });
});
