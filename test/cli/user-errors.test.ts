/**
 * Mistakes a person can fix (a malformed or unreachable store setting, an
 * output path that cannot be written) end with one line on stderr naming the
 * setting or option and exit 2, before any scanning, never with a stack trace
 * or "a bug: please report it". The compiled CLI runs as a child process, as
 * in cli.test.ts; the stores are a real Azurite and closed loopback ports.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type RunningAzurite } from "../support/azurite.js";

const CLI = resolve("dist/shared/cli/main.js");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The CLI in an empty folder with these settings. AZURE_TOKEN_CREDENTIALS=dev
 * and no tools on PATH: no Azure sign-in is possible, and none is attempted
 * off this machine (cli.test.ts, "without an Azure credential").
 */
function wiscan(env: Record<string, string>, ...args: string[]): Promise<Run> {
  const home = mkdtempSync(join(tmpdir(), "wiscan-home-"));
  const cwd = mkdtempSync(join(tmpdir(), "wiscan-cwd-"));
  const base = { PATH: join(home, "no-tools"), HOME: home, USERPROFILE: home, AZURE_TOKEN_CREDENTIALS: "dev" };
  return new Promise((resolveRun) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: { ...base, ...env } }, (error, stdout, stderr) =>
      resolveRun({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

/** Exit 2, nothing on stdout, and exactly one line on stderr that names `subject`: no stack trace, no "please report it". */
function expectUserError(run: Run, subject: string, says: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe("");
  const lines = run.stderr.split("\n").filter((l) => l !== "");
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]!.startsWith(`wiscan: ${subject}`), lines[0]).toBe(true);
  expect(lines[0]).toMatch(says);
  expect(run.stderr).not.toMatch(/\n\s+at |unexpected error|report it/);
}

/** A loopback port nothing listens on: connections to it are refused at once. */
function closedPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

function accountConnectionString(tableEndpoint: string, key = AZURITE_KEY): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${key};TableEndpoint=${tableEndpoint};`;
}

/** Settings that let `wiscan digest --resend` reach the store (SMTP is not contacted before it). */
const MAIL = { MAIL_TRANSPORT: "smtp", SMTP_HOST: "127.0.0.1", DIGEST_SENDER: "wiscan@example.com", DIGEST_RECIPIENTS: "security@example.com" };

const COMMANDS: Array<[string, Record<string, string>, string[]]> = [
  ["scan", {}, ["scan", "--output", "json"]],
  ["findings", {}, ["findings", "--output", "json"]],
  ["digest", MAIL, ["digest", "--resend", "20200101T000000Z-x"]],
];

describe.concurrent("a malformed FINDINGS_STORAGE_CONNECTION_STRING", () => {
  const SECRET = "c2VjcmV0LWtleQ==";
  it.each([
    ["garbage", /must be key=value pairs separated by ";"/],
    [`AccountName=a;AccountKey=${SECRET}`, /has an AccountKey but no DefaultEndpointsProtocol/],
    [`DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${SECRET}`, /needs an EndpointSuffix/],
    [`DefaultEndpointsProtocol=https;AccountName=a;AccountKey=not base64!;EndpointSuffix=core.windows.net`, /AccountKey that is not base64/],
    [`TableEndpoint=not a url;SharedAccessSignature=sv=1&sig=${SECRET}`, /TableEndpoint that is not an http:\/\/ or https:\/\/ URL/],
  ])("%s: exit 2 from scan, findings and digest, naming the setting and never echoing the value", async (value, says) => {
    for (const [, env, args] of COMMANDS) {
      const run = await wiscan({ ...env, FINDINGS_STORAGE_CONNECTION_STRING: value }, ...args);
      expectUserError(run, "FINDINGS_STORAGE_CONNECTION_STRING: ", says);
      expect(run.stderr).not.toContain(SECRET);
    }
  });
});

describe.concurrent("an unreachable findings store", () => {
  it.each(COMMANDS)("%s: a refused connection (FINDINGS_STORAGE_CONNECTION_STRING) is exit 2 before anything else", async (_, env, args) => {
    const endpoint = `http://127.0.0.1:${await closedPort()}/${AZURITE_ACCOUNT}`;
    const run = await wiscan({ ...env, FINDINGS_STORAGE_CONNECTION_STRING: accountConnectionString(endpoint) }, ...args);
    expectUserError(run, "FINDINGS_STORAGE_CONNECTION_STRING: ", new RegExp(`store at ${endpoint} is not reachable \\(connection refused, ECONNREFUSED\\)`));
  });

  it.each(COMMANDS)("%s: a refused connection (FINDINGS_STORAGE_ACCOUNT_URL) is exit 2, before any Azure sign-in", async (_, env, args) => {
    const url = `https://127.0.0.1:${await closedPort()}`;
    const run = await wiscan({ ...env, FINDINGS_STORAGE_ACCOUNT_URL: url }, ...args);
    expectUserError(run, "FINDINGS_STORAGE_ACCOUNT_URL: ", /is not reachable \(connection refused, ECONNREFUSED\)/);
  });

  it("a table endpoint whose host name does not resolve is exit 2, for either setting", async () => {
    // .invalid never resolves (RFC 6761); a resolver that does not answer at all is bounded by the probe's 10 s.
    const dns = /is not reachable \((host name not found, ENOTFOUND|host name could not be resolved, EAI_AGAIN|no answer within 10 s)\)/;
    const byUrl = await wiscan({ FINDINGS_STORAGE_ACCOUNT_URL: "https://wiscan-test.invalid" }, "findings");
    expectUserError(byUrl, "FINDINGS_STORAGE_ACCOUNT_URL: ", dns);
    const byString = await wiscan({ FINDINGS_STORAGE_CONNECTION_STRING: accountConnectionString(`http://wiscan-test.invalid:10002/${AZURITE_ACCOUNT}`) }, "scan");
    expectUserError(byString, "FINDINGS_STORAGE_CONNECTION_STRING: ", dns);
  });
});

describe("a findings store that answers", () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("is read when the connection string is right", async () => {
    const run = await wiscan({ FINDINGS_STORAGE_CONNECTION_STRING: azurite.connectionString }, "findings", "--output", "json");
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ findings: [] });
  });

  it("refusing the account key is exit 2 naming the setting", async () => {
    const wrongKey = Buffer.from("not the account key").toString("base64");
    const endpoint = `http://127.0.0.1:${azurite.port}/${AZURITE_ACCOUNT}`;
    for (const [, env, args] of COMMANDS) {
      const run = await wiscan({ ...env, FINDINGS_STORAGE_CONNECTION_STRING: accountConnectionString(endpoint, wrongKey) }, ...args);
      expectUserError(run, "FINDINGS_STORAGE_CONNECTION_STRING: ", /refused access \(403.*\): check the AccountKey or SharedAccessSignature/);
      expect(run.stderr).not.toContain(wrongKey);
    }
  });

  it("plain http without DefaultEndpointsProtocol=http is exit 2, without the SAS in the message", async () => {
    const sas = `TableEndpoint=http://127.0.0.1:${azurite.port}/${AZURITE_ACCOUNT};SharedAccessSignature=sv=2020-01-01&sig=c2VjcmV0`;
    const run = await wiscan({ FINDINGS_STORAGE_CONNECTION_STRING: sas }, "findings");
    expectUserError(run, "FINDINGS_STORAGE_CONNECTION_STRING: ", /is plain http: use https/);
    expect(run.stderr).not.toContain("c2VjcmV0");
  });
});

describe.concurrent("wiscan scan output paths that cannot be written, checked before the scan", () => {
  const dir = mkdtempSync(join(tmpdir(), "wiscan-out-"));
  const file = join(dir, "a-file.txt");
  writeFileSync(file, "not a directory");
  it.each([
    ["--out", dir, /is a directory; name a file/],
    ["--html", dir, /is a directory; name a file/],
    // In a directory that does not exist and cannot be created (a missing one that can is created: cli.test.ts).
    ["--out", join(file, "sub", "findings.json"), /a-file\.txt is a file, not a directory$/],
    ["--html", join(file, "report.html"), /a-file\.txt is a file, not a directory$/],
    // Unwritable for every user, root included: sysfs (Linux) or a read-only system volume (macOS).
    ["--out", "/sys/wiscan-test.json", /cannot be written|cannot be created/],
  ])("%s %s: exit 2 naming the option, and no scan", async (option, path, says) => {
    const run = await wiscan({}, "scan", "--demo", "--no-store", "--output", "json", option, path);
    // The demo would have printed "demo: simulated fleet ..." before scanning.
    expectUserError(run, `${option} "${path}": `, says);
  });
});
