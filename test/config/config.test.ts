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

  it("reads the request budgets and the allowed digest domains, with their defaults", () => {
    expect(loadConfig({}).limits).toEqual({ scanStartsPerHour: 12, digestResendsPerHour: 10 });
    expect(loadConfig({}).digest.allowedDomains).toEqual([]);
    const config = loadConfig({ SCAN_START_LIMIT_PER_HOUR: "3", DIGEST_RESEND_LIMIT_PER_HOUR: "1", DIGEST_ALLOWED_DOMAINS: "contoso.com, Fabrikam.example" });
    expect(config.limits).toEqual({ scanStartsPerHour: 3, digestResendsPerHour: 1 });
    expect(config.digest.allowedDomains).toEqual(["contoso.com", "Fabrikam.example"]);
    expect(problemsOf({ SCAN_START_LIMIT_PER_HOUR: "0" })).toEqual([{ setting: "SCAN_START_LIMIT_PER_HOUR", problem: 'must be at least 1 (got "0")' }]);
    expect(problemsOf({ DIGEST_ALLOWED_DOMAINS: "contoso.com,@evil" })[0]?.setting).toBe("DIGEST_ALLOWED_DOMAINS");
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

  it("reads DIGEST_ROUTES into team routes and DIGEST_ROUTE_TAG as the tag to route by", () => {
    const config = loadConfig({
      DIGEST_ROUTES: "D1C2A081-A471-42E1-853B-539D0F923D78=payments@example.com ; b246710b-2da6-44e4-b324-f6195fe35f13,ad22cac9-0970-49c7-887f-3667aa581f53=data@example.com,lead@example.com",
      DIGEST_ROUTE_TAG: "owner-email",
    });
    expect(config.digest.routes).toEqual([
      { subscriptions: ["d1c2a081-a471-42e1-853b-539d0f923d78"], recipients: ["payments@example.com"] },
      { subscriptions: ["b246710b-2da6-44e4-b324-f6195fe35f13", "ad22cac9-0970-49c7-887f-3667aa581f53"], recipients: ["data@example.com", "lead@example.com"] },
    ]);
    expect(config.digest.routeTag).toBe("owner-email");
    expect(loadConfig({}).digest.routes).toEqual([]);
  });

  it("names the bad DIGEST_ROUTES entry and what is wrong with it", () => {
    const good = "d1c2a081-a471-42e1-853b-539d0f923d78=payments@example.com";
    const [badSubscription] = problemsOf({ DIGEST_ROUTES: `${good};payments=team@example.com` });
    expect(badSubscription?.setting).toBe("DIGEST_ROUTES");
    expect(badSubscription?.problem).toMatch(/^entry "payments=team@example.com": "payments" is not a subscription id/);
    const [badAddress] = problemsOf({ DIGEST_ROUTES: "b246710b-2da6-44e4-b324-f6195fe35f13=team-at-example.com" });
    expect(badAddress?.problem).toMatch(/"team-at-example.com" is not an email address/);
    const [noEquals] = problemsOf({ DIGEST_ROUTES: `${good};security@example.com` });
    expect(noEquals?.problem).toMatch(/entry "security@example.com" needs the form <subscription id>/);
    expect(problemsOf({ DIGEST_ROUTE_TAG: "owner/email" })[0]).toMatchObject({ setting: "DIGEST_ROUTE_TAG", problem: expect.stringMatching(/tag name/) });
  });

  it("lets team routes stand in for the fleet list when mail is on", () => {
    const mail = { MAIL_TRANSPORT: "smtp", SMTP_HOST: "smtp.example.com", DIGEST_SENDER: "wiscan@example.com" };
    expect(problemsOf(mail).map((p) => p.setting)).toEqual(["DIGEST_RECIPIENTS"]);
    expect(problemsOf({ ...mail, DIGEST_ROUTES: "d1c2a081-a471-42e1-853b-539d0f923d78=payments@example.com" })).toEqual([]);
    expect(problemsOf({ ...mail, DIGEST_ROUTE_TAG: "owner-email" })).toEqual([]);
  });
});
