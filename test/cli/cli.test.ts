/**
 * The compiled `wiscan` command, run as a user runs it: a child process with
 * arguments, reading its stdout, stderr and exit code. `npm test` builds dist/ first.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanReportSchema, type ScanReport } from "../../shared/report/index.js";
import { smtpSettings, startSmtpServer, type TestSmtpServer } from "../support/smtp.js";
import { CLI, wiscanIn, wiscanWith, type CliResult } from "../support/cli.js";
import { demoClusterCount } from "../support/demo-answer-key.js";

/** Runs the CLI in a fresh working directory, as a user in an empty folder would (out/ and .wiscan/ land there). */
async function wiscan(...args: string[]): Promise<CliResult> {
  return wiscanIn(mkdtempSync(join(tmpdir(), "wiscan-cwd-")), ...args);
}

/**
 * One user's first afternoon with the demo, in one empty folder: a first scan
 * (their copy of the demo fleet, SMTP settings, a CI gate), its digest, a
 * resend, a second scan and `wiscan findings`. Each demo scan costs seconds
 * of CPU, so the tests of this block read the outputs of the same first scan
 * (docs/testing.md); they run in order, the second scan last.
 */
describe("wiscan scan --demo, run twice in an empty folder", () => {
  const HOSTILE = `<img src=x onerror=alert(1)>`;
  let smtp: TestSmtpServer;
  let mailEnv: Record<string, string>;
  let cwd: string;
  let fleetDir: string;
  let first: CliResult;
  let report: ScanReport;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    cwd = mkdtempSync(join(tmpdir(), "wiscan-cwd-"));
    // The demo fleet, with a subscription display name no one should trust.
    fleetDir = join(cwd, "fleet");
    cpSync(resolve("test/fleets/demo"), fleetDir, { recursive: true });
    const azure = JSON.parse(readFileSync(join(fleetDir, "azure.json"), "utf8")) as { subscriptions: Array<{ displayName: string }> };
    azure.subscriptions[0]!.displayName = `contoso-payments ${HOSTILE}`;
    writeFileSync(join(fleetDir, "azure.json"), JSON.stringify(azure));
    const caFile = join(cwd, "smtp-ca.pem");
    writeFileSync(caFile, smtp.caPem);
    mailEnv = {
      ...smtpSettings(smtp),
      // The test relay's certificate comes from a throwaway CA, trusted the way a user trusts a private relay's.
      NODE_EXTRA_CA_CERTS: caFile,
    };
    const html = join(mkdtempSync(join(tmpdir(), "wiscan-cli-")), "r.html");
    first = await wiscanWith(mailEnv, cwd, "scan", "--demo", "--fleet", fleetDir, "--output", "json", "--html", html, "--fail-on", "high");
    report = scanReportSchema.parse(JSON.parse(first.stdout));
  });
  afterAll(async () => {
    await smtp?.close();
  });

  it("prints a JSON report that follows the published schema, and a summary on stderr", () => {
    expect(report.findings.length).toBeGreaterThan(20);
    expect(report.scan.counts.findings).toBe(report.findings.length);
    expect(first.stderr).toMatch(/findings \(\d+ high, \d+ medium, \d+ low, \d+ info\) in \d+ clusters across \d+ subscriptions/);
  });

  it("exits 5 when a finding reaches --fail-on, so CI pipelines can gate on it", () => {
    expect(report.findings.some((f) => f.severity === "high")).toBe(true);
    expect(first.code, first.stderr).toBe(5);
  });

  it("saves findings to the demo's local store and says how to read them back", () => {
    const saved = /saved (\d+) findings to the demo's local Azurite .*: (\d+) new or reopened, 0 resolved/.exec(first.stderr);
    expect(saved?.[1]).toBe(String(report.findings.length));
    expect(saved?.[2]).toBe(saved?.[1]);
    expect(first.stderr).toContain("read them back with: npx wiscan findings --demo");
  });

  it("writes the digest to out/demo with subscription names, hostile values escaped, and mails it when SMTP settings are given", () => {
    const high = report.findings.filter((f) => f.severity === "high").length;
    const subject = `wiscan: ${high} new high, ${report.findings.length} open, 0 resolved — ${demoClusterCount()} clusters in 3 subscriptions`;

    // The digest of each run is written next to the demo's other files, from what the store holds.
    const digestHtml = join(cwd, "out", "demo", "digest.html");
    expect(first.stderr).toContain(`: ${digestHtml} (plain text: ${join(cwd, "out", "demo", "digest.txt")})`);
    const html = readFileSync(digestHtml, "utf8");
    const text = readFileSync(join(cwd, "out", "demo", "digest.txt"), "utf8");
    expect(first.stderr).toContain(`wrote digest "${subject}"`);
    expect(html).toContain(`<title>${subject}</title>`);
    expect(text.split("\n")[0]).toBe(subject);
    // Display names, not bare subscription ids; and the hostile one only ever as text.
    expect(html).toContain("contoso-data");
    expect(html).toContain("contoso-payments &lt;img src");
    expect(html).not.toContain("<img");
    expect(html).not.toMatch(/<script/i);
    expect(text).toContain(`contoso-payments ${HOSTILE}`);

    expect(first.stderr).toContain(`digest fleet: sent to security@example.com ("${subject}")`);
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail!.envelopeTo).toEqual(["security@example.com"]);
    expect(mail!.parsed.subject).toBe(subject);
    expect(mail!.parsed.html).not.toContain("<img");
  });

  it("resends the digest from the demo's store with wiscan digest --resend, only when asked to send a delivered one again", async () => {
    const scanId = report.scan.id;
    const before = smtp.received.length;

    const again = await wiscanWith(mailEnv, cwd, "digest", "--demo", "--resend", scanId);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe("fleet: already sent to security@example.com; --all sends it again\n");
    expect(smtp.received).toHaveLength(before);

    const all = await wiscanWith(mailEnv, cwd, "digest", "--demo", "--resend", scanId, "--all");
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/^fleet: sent to security@example.com/);
    expect(smtp.received).toHaveLength(before + 1);

    const unknown = await wiscanWith(mailEnv, cwd, "digest", "--demo", "--resend", "20200101T000000Z-nothing");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no digest is stored for scan 20200101T000000Z-nothing/);

    const both = await wiscanWith(mailEnv, cwd, "digest", "--demo", "--resend", scanId, "--all", "--audience", "fleet");
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--audience and --all cannot be combined/);

    const noMail = await wiscanIn(cwd, "digest", "--demo", "--resend", scanId);
    expect(noMail.code).toBe(2);
    expect(noMail.stderr).toMatch(/MAIL_TRANSPORT is none/);
  });

  it("shows history on the second run, and reads the findings back with wiscan findings", async () => {
    const open = report.findings.length;
    // No SMTP settings this time: the digest is written, not mailed.
    const second = await wiscanIn(cwd, "scan", "--demo", "--fleet", fleetDir, "--output", "json", "--out", "f.json");
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/: 0 new or reopened, 0 resolved since the previous scan/);
    expect(second.stderr).toContain(`wrote digest "wiscan: 0 new high, ${open} open, 0 resolved`);
    expect(readFileSync(join(cwd, "out", "demo", "digest.html"), "utf8")).toContain(`0 new high, ${open} open`);

    const high = await wiscanIn(cwd, "findings", "--demo", "--severity", "high", "--output", "json");
    expect(high.code).toBe(0);
    const stored = (JSON.parse(high.stdout) as { findings: Array<{ severity: string; status: string }> }).findings;
    const secondReport = scanReportSchema.parse(JSON.parse(readFileSync(join(cwd, "f.json"), "utf8")));
    expect(stored.length).toBe(secondReport.findings.filter((f) => f.severity === "high").length);
    expect(stored.every((f) => f.severity === "high" && f.status === "open")).toBe(true);

    const bad = await wiscanIn(cwd, "findings", "--demo", "--severity", "urgent");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--severity/);
  });
});

describe("wiscan scan --demo, narrowed or misdirected", () => {
  it("scans one cluster with one check family and writes CSV to the file it names", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "wiscan-cli-")), "sub", "findings.csv");
    const { code, stderr } = await wiscan("scan", "--demo", "--no-store", "--cluster", "checkout-prod", "--check", "fic", "--output", "csv", "--out", out);
    expect(code).toBe(0);
    expect(stderr).toContain(`wrote findings (csv): ${out}`);
    const lines = readFileSync(out, "utf8").trim().split("\r\n");
    expect(lines[0]).toMatch(/^id,status,severity,checkId,/);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(1)) expect(line).toMatch(/,fic\.[a-z-]+,/);
    for (const line of lines.slice(1)) expect(line).not.toMatch(/,payments-prod,|,data-platform,/);
  });

  it("exits 4 with a clear message when --cluster matches no cluster", async () => {
    const { code, stderr } = await wiscan("scan", "--demo", "--cluster", "no-such-cluster", "--output", "json");
    expect(code).toBe(4);
    expect(stderr).toContain('No cluster named "no-such-cluster"');
  });

  it("exits 2 naming the fleet file and field when a fleet description is invalid", async () => {
    const { code, stderr } = await wiscan("scan", "--demo", "--fleet", join(tmpdir(), "no-such-fleet-dir"), "--output", "json");
    expect(code).toBe(2);
    expect(stderr).toMatch(/azure\.json/);
  });
});

describe.concurrent("wiscan scan option errors", () => {
  it.each([
    [["--output", "xml"], /--output must be one of table, json, csv, sarif, junit, ocsf \(got "xml"\)/],
    [["--fail-on", "critical"], /--fail-on must be one of high, medium, low, info/],
    [["--check", "sa.no-such-check"], /--check "sa.no-such-check" is not a check id or family/],
    [["--concurrency", "0"], /--concurrency must be a whole number from 1 to 1000/],
    [["--subscription", "payments"], /--subscription "payments" is not a subscription id/],
    [["--fleet", "x"], /--fleet only applies with --demo/],
  ])("exits 2 for %j before touching Azure", async (args, message) => {
    const { code, stderr } = await wiscan("scan", ...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it("exits 2 for an unknown option, with help", async () => {
    const { code, stderr } = await wiscan("scan", "--bogus");
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown option '--bogus'/);
  });
});

describe("wiscan scan without an Azure credential", () => {
  it("exits 3 and says how to sign in, without a stack trace", async () => {
    // AZURE_TOKEN_CREDENTIALS=dev keeps DefaultAzureCredential to the developer tools (az, azd, PowerShell):
    // the managed-identity step would probe the instance metadata address, off this machine's loopback.
    // With none of those tools on PATH and no AZURE_CLIENT_* settings, nothing can sign in.
    const home = mkdtempSync(join(tmpdir(), "wiscan-home-"));
    const env = { PATH: join(home, "no-tools"), HOME: home, USERPROFILE: home, AZURE_TOKEN_CREDENTIALS: "dev" };
    const cwd = mkdtempSync(join(tmpdir(), "wiscan-cwd-"));
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolveResult) => {
      execFile(process.execPath, [CLI, "scan"], { cwd, env }, (error, stdout, stderr) =>
        resolveResult({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^wiscan: no Azure credential: sign in with "az login"/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
