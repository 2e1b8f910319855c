/**
 * infra/scripts/create-api-app.sh and assign-api-role.sh against a stand-in
 * `az` and `azd` (no tenant here): what they ask Entra ID to do, and that a
 * second run changes nothing that exists.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const script = (name: string) => fileURLToPath(new URL(`../../infra/scripts/${name}`, import.meta.url));
const API_APP = "aaaaaaaa-0000-4000-8000-000000000001";
const ROLE_ID = "14fbe305-37a9-4f1d-8c87-5856c899d410";

const dir = mkdtempSync(join(tmpdir(), "wiscan-az-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The stand-in: logs every call, one per line, and answers from FAKE_* variables. */
const fakeAz = `#!/usr/bin/env bash
args="$*"
# One line per call: request bodies span lines.
printf 'az %s\\n' "\${args//$'\\n'/ }" >> "$FAKE_LOG"
case "$args" in
  "cloud show"*) echo "https://graph.microsoft.com/" ;;
  "ad app list"*) printf '%s' "\${FAKE_EXISTING_APP:-}" ;;
  "ad app create"*) echo "${API_APP}" ;;
  "ad sp show"*"appRoles[?value=='Findings.Read'"*) echo "${ROLE_ID}" ;;
  "ad sp show"*"appRoles[?value=="*) echo "" ;;
  "ad sp show"*"join("*) echo "Findings.Read, Scans.Start" ;;
  "ad sp show"*) if [[ -n "\${FAKE_NO_SP:-}" ]]; then exit 3; fi; echo "bbbbbbbb-0000-4000-8000-000000000002" ;;
  "ad user show"*) echo "cccccccc-0000-4000-8000-000000000003" ;;
  "rest --method get"*"length("*) echo "\${FAKE_ASSIGNED:-0}" ;;
  "rest --method get"*) echo "" ;;
esac
exit 0
`;
const fakeAzd = `#!/usr/bin/env bash
printf 'azd %s\\n' "$*" >> "$FAKE_LOG"
`;
writeFileSync(join(dir, "az"), fakeAz);
writeFileSync(join(dir, "azd"), fakeAzd);
chmodSync(join(dir, "az"), 0o755);
chmodSync(join(dir, "azd"), 0o755);

function run(name: string, args: string[], env: Record<string, string>): string[] {
  const log = join(dir, `log-${Math.random().toString(36).slice(2)}`);
  writeFileSync(log, "");
  execFileSync("bash", [script(name), ...args], {
    env: { PATH: `${dir}:${process.env.PATH}`, HOME: dir, FAKE_LOG: log, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

describe("infra/scripts/create-api-app.sh", () => {
  it("creates the registration with the roles file, requires assignment and stores the client id", () => {
    const calls = run("create-api-app.sh", [], { AZURE_ENV_NAME: "test", FAKE_NO_SP: "1" });
    const create = calls.find((c) => c.startsWith("az ad app create"));
    expect(create).toContain("--display-name wiscan API (test)");
    expect(create).toContain("--sign-in-audience AzureADMyOrg");
    expect(create).toMatch(/--app-roles @\S*\/roles\/api-app-roles\.json/);
    expect(calls).toContainEqual(expect.stringMatching(new RegExp(`^az ad app update --id ${API_APP} --identifier-uris api://${API_APP} --app-roles @`)));
    expect(calls.filter((c) => c.includes(`applications(appId='${API_APP}')`) && c.includes('"requestedAccessTokenVersion": 2'))).toHaveLength(2);
    expect(calls).toContainEqual(expect.stringContaining(`az ad sp create --id ${API_APP}`));
    expect(calls).toContainEqual(expect.stringMatching(new RegExp(`servicePrincipals\\(appId='${API_APP}'\\).*"appRoleAssignmentRequired": true`)));
    expect(calls.at(-1)).toBe(`azd env set WISCAN_API_CLIENT_ID ${API_APP}`);
  });

  it("finds and updates an existing registration without creating anything again", () => {
    const calls = run("create-api-app.sh", [], { AZURE_ENV_NAME: "test", FAKE_EXISTING_APP: API_APP });
    expect(calls.filter((c) => c.startsWith("az ad app create") || c.startsWith("az ad sp create"))).toEqual([]);
    expect(calls).toContainEqual(expect.stringContaining(`az ad app update --id ${API_APP}`));
    expect(calls.at(-1)).toBe(`azd env set WISCAN_API_CLIENT_ID ${API_APP}`);
  });

  it("uses the registration WISCAN_API_CLIENT_ID names, without looking one up", () => {
    const calls = run("create-api-app.sh", [], { AZURE_ENV_NAME: "test", WISCAN_API_CLIENT_ID: API_APP });
    expect(calls.filter((c) => c.startsWith("az ad app list") || c.startsWith("az ad app create"))).toEqual([]);
    expect(calls).toContainEqual(expect.stringContaining(`az ad app update --id ${API_APP}`));
  });
});

describe("infra/scripts/assign-api-role.sh", () => {
  const env = { WISCAN_API_CLIENT_ID: API_APP };

  it("assigns the role to a user found by sign-in name, on the API's service principal", () => {
    const calls = run("assign-api-role.sh", ["Findings.Read", "analyst@example.com"], env);
    const post = calls.find((c) => c.startsWith("az rest --method post"));
    expect(post).toContain("/servicePrincipals/bbbbbbbb-0000-4000-8000-000000000002/appRoleAssignedTo");
    expect(post).toContain(`"principalId":"cccccccc-0000-4000-8000-000000000003"`);
    expect(post).toContain(`"appRoleId":"${ROLE_ID}"`);
  });

  it("leaves an existing assignment alone", () => {
    const calls = run("assign-api-role.sh", ["Findings.Read", "analyst@example.com"], { ...env, FAKE_ASSIGNED: "1" });
    expect(calls.filter((c) => c.startsWith("az rest --method post"))).toEqual([]);
  });

  it("refuses a role the API does not define, and a missing argument", () => {
    expect(() => run("assign-api-role.sh", ["Findings.Write", "analyst@example.com"], env)).toThrow(/no app role "Findings.Write"/);
    expect(() => run("assign-api-role.sh", ["Findings.Read"], env)).toThrow(/usage/);
  });
});
