import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, SETTING_NAMES } from "../../shared/config/index.js";

const sample = JSON.parse(readFileSync("local.settings.sample.json", "utf8")) as { Values: Record<string, string> };

function problemsOf(env: Record<string, string>): Array<{ setting: string; problem: string }> {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("configuration", () => {
  it("uses documented defaults when nothing is set", () => {
    const config = loadConfig({});
    expect(config.scanner.schedule).toBe("0 0 6 * * 1");
    expect(config.scanner.concurrency).toBe(32);
    expect(config.scanner.subscriptions).toEqual([]);
    expect(config.store.kind).toBe("none");
    expect(config.digest.transport).toBe("none");
  });

  it("lists every setting in local.settings.sample.json, and the sample loads as it is", () => {
    for (const name of SETTING_NAMES) expect(Object.keys(sample.Values)).toContain(name);
    const config = loadConfig(sample.Values);
    expect(config.store).toMatchObject({ kind: "connection-string", connectionString: "UseDevelopmentStorage=true" });
  });

  it("names the setting and the problem for a bad value", () => {
    expect(problemsOf({ SCAN_CONCURRENCY: "lots" })).toEqual([
      { setting: "SCAN_CONCURRENCY", problem: 'must be a whole number (got "lots")' },
    ]);
    expect(problemsOf({ SCAN_SUBSCRIPTIONS: "not-a-guid" })[0]?.setting).toBe("SCAN_SUBSCRIPTIONS");
    expect(problemsOf({ SCAN_SCHEDULE: "0 6 * * 1" })[0]?.problem).toMatch(/six-field NCRONTAB/);
  });

  it("reports every problem at once rather than the first only", () => {
    const settings = problemsOf({ SCAN_CONCURRENCY: "0", RETENTION_DAYS: "x", MAIL_TRANSPORT: "smtp" }).map((p) => p.setting);
    expect(settings).toEqual(expect.arrayContaining(["SCAN_CONCURRENCY", "RETENTION_DAYS", "DIGEST_RECIPIENTS", "DIGEST_SENDER", "SMTP_HOST"]));
  });

  it("never echoes a secret in the error", () => {
    const problems = problemsOf({ SMTP_PASSWORD: "hunter2", MAIL_TRANSPORT: "none" });
    expect(problems.map((p) => p.setting)).toEqual(["SMTP_USER"]);
    const message = (() => {
      try {
        loadConfig({ FINDINGS_STORAGE_CONNECTION_STRING: "   ", FINDINGS_STORAGE_ACCOUNT_URL: "http://plain" });
      } catch (error) {
        return (error as Error).message;
      }
      return "";
    })();
    expect(message).toMatch(/FINDINGS_STORAGE_ACCOUNT_URL: must start with https/);
  });

  it("refuses two ways of saying the same thing", () => {
    const settings = problemsOf({
      SCAN_SUBSCRIPTIONS: "00000000-0000-0000-0000-000000000000",
      SCAN_MANAGEMENT_GROUPS: "root",
    }).map((p) => p.setting);
    expect(settings).toEqual(["SCAN_MANAGEMENT_GROUPS"]);
  });
});
