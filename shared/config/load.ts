import { readFileSync, existsSync } from "node:fs";
import { z } from "zod";
import type { AzureCloud } from "../azure/clouds.js";
import type { DigestRoute } from "../digest/routing.js";
import { SETTINGS, SETTING_NAMES, type SettingName } from "./settings.js";

type Parsed<N extends SettingName> = z.output<(typeof SETTINGS)[N]["schema"]>;
type RawValues = Partial<Record<SettingName, Parsed<SettingName>>>;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly problems: ReadonlyArray<{ setting: string; problem: string }>,
  ) {
    super(
      "Invalid configuration:\n" + problems.map((p) => `  - ${p.setting}: ${p.problem}`).join("\n"),
    );
  }
}

export interface WiscanConfig {
  tenantId?: string;
  /** AZURE_CLOUD: whose ARM, Microsoft Graph and Entra the scanner talks to. */
  cloud: AzureCloud;
  scanner: {
    /** Client id of a user-assigned managed identity, when the scanner runs as one. */
    managedIdentityClientId?: string;
    subscriptions: string[];
    managementGroups: string[];
    schedule: string;
    concurrency: number;
    clusterTimeoutSeconds: number;
    logTailLines: number;
    logMaxPodsPerCluster: number;
    logPodsPerOwner: number;
    probeScopes: string[];
    runCommandScopes: string[];
  };
  store:
    | { kind: "connection-string"; connectionString: string; retentionDays: number }
    | { kind: "account-url"; accountUrl: string; retentionDays: number }
    | { kind: "none"; retentionDays: number };
  /** SUPPRESSION_MAX_DAYS: how far ahead a suppression may expire. */
  suppressions: { maxDays: number };
  /** Requests per clock hour for the whole app (functions/http/rate-limit.ts). */
  limits: { scanStartsPerHour: number; digestResendsPerHour: number };
  digest: {
    transport: "acs" | "smtp" | "none";
    /** DIGEST_RECIPIENTS: the whole fleet's digest. */
    recipients: string[];
    /** DIGEST_ROUTES: each team's digest of its own subscriptions. */
    routes?: DigestRoute[];
    /** DIGEST_ROUTE_TAG: the subscription tag whose value lists more team addresses. */
    routeTag?: string;
    sender?: string;
    /** DIGEST_ALLOWED_DOMAINS: domains tag-routed addresses must be in; empty means those of the recipients and sender (shared/digest/tag-domains.ts). */
    allowedDomains?: string[];
    maxFindings: number;
    findingsApiBaseUrl?: string;
    acsEndpoint?: string;
    /** ACS_EMAILS_PER_MINUTE, ACS_EMAILS_PER_HOUR, ACS_RECIPIENTS_PER_EMAIL: the sending limits the ACS transport paces to (shared/mail/pacing.ts). */
    acsLimits?: { emailsPerMinute: number; emailsPerHour: number; recipientsPerEmail: number };
    smtp?: { host: string; port: number; secure: boolean; user?: string; password?: string };
  };
}

/**
 * Reads and validates every setting. All problems are reported at once, each
 * naming the setting; secret values never appear in the message.
 *
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): WiscanConfig {
  const problems: Array<{ setting: string; problem: string }> = [];
  const values: RawValues = {};

  for (const name of SETTING_NAMES) {
    const spec = SETTINGS[name];
    const present = env[name];
    const raw = present === undefined || present.trim() === "" ? ("default" in spec ? spec.default : undefined) : present.trim();
    if (raw === undefined) continue;
    const result = (spec.schema as z.ZodType<unknown>).safeParse(raw);
    if (result.success) {
      (values as Record<string, unknown>)[name] = result.data;
    } else {
      const reason = result.error.issues.map((i) => i.message).join("; ");
      const shown = "secret" in spec && spec.secret ? "" : ` (got "${truncate(raw)}")`;
      problems.push({ setting: name, problem: reason + shown });
    }
  }

  const v = values as { [N in SettingName]?: Parsed<N> };
  const require = (name: SettingName, why: string) => {
    if (v[name] === undefined && !problems.some((p) => p.setting === name)) {
      problems.push({ setting: name, problem: `is required ${why}` });
    }
  };

  if (v.SCAN_SUBSCRIPTIONS?.length && v.SCAN_MANAGEMENT_GROUPS?.length) {
    problems.push({ setting: "SCAN_MANAGEMENT_GROUPS", problem: "cannot be combined with SCAN_SUBSCRIPTIONS; set one of them" });
  }
  if (v.FINDINGS_STORAGE_CONNECTION_STRING !== undefined && v.FINDINGS_STORAGE_ACCOUNT_URL !== undefined) {
    problems.push({ setting: "FINDINGS_STORAGE_ACCOUNT_URL", problem: "cannot be combined with FINDINGS_STORAGE_CONNECTION_STRING; set one of them" });
  }
  const transport = v.MAIL_TRANSPORT ?? "none";
  if (transport !== "none") {
    // Routed team digests alone are a valid setup: the fleet list is then optional.
    if (v.DIGEST_ROUTES === undefined && v.DIGEST_ROUTE_TAG === undefined) {
      require("DIGEST_RECIPIENTS", `when MAIL_TRANSPORT=${transport} (or set DIGEST_ROUTES or DIGEST_ROUTE_TAG)`);
    }
    require("DIGEST_SENDER", `when MAIL_TRANSPORT=${transport}`);
  }
  if (transport === "acs") require("ACS_ENDPOINT", "when MAIL_TRANSPORT=acs");
  if (transport === "smtp") require("SMTP_HOST", "when MAIL_TRANSPORT=smtp");
  if (v.SMTP_PASSWORD !== undefined && v.SMTP_USER === undefined) require("SMTP_USER", "when SMTP_PASSWORD is set");

  if (problems.length > 0) throw new ConfigError(problems);

  const retentionDays = v.RETENTION_DAYS ?? 90;
  const store: WiscanConfig["store"] =
    v.FINDINGS_STORAGE_CONNECTION_STRING !== undefined
      ? { kind: "connection-string", connectionString: v.FINDINGS_STORAGE_CONNECTION_STRING, retentionDays }
      : v.FINDINGS_STORAGE_ACCOUNT_URL !== undefined
        ? { kind: "account-url", accountUrl: v.FINDINGS_STORAGE_ACCOUNT_URL, retentionDays }
        : { kind: "none", retentionDays };

  return {
    ...(v.AZURE_TENANT_ID !== undefined && { tenantId: v.AZURE_TENANT_ID }),
    cloud: v.AZURE_CLOUD ?? "AzurePublicCloud",
    scanner: {
      ...(v.AZURE_CLIENT_ID !== undefined && { managedIdentityClientId: v.AZURE_CLIENT_ID }),
      subscriptions: v.SCAN_SUBSCRIPTIONS ?? [],
      managementGroups: v.SCAN_MANAGEMENT_GROUPS ?? [],
      schedule: v.SCAN_SCHEDULE ?? "0 0 6 * * 1",
      concurrency: v.SCAN_CONCURRENCY ?? 32,
      clusterTimeoutSeconds: v.CLUSTER_TIMEOUT_SECONDS ?? 30,
      logTailLines: v.LOG_TAIL_LINES ?? 500,
      logMaxPodsPerCluster: v.LOG_MAX_PODS_PER_CLUSTER ?? 200,
      logPodsPerOwner: v.LOG_PODS_PER_OWNER ?? 1,
      probeScopes: v.PROBE_SCOPES ?? [],
      runCommandScopes: v.RUN_COMMAND_SCOPES ?? [],
    },
    store,
    suppressions: { maxDays: v.SUPPRESSION_MAX_DAYS ?? 90 },
    limits: { scanStartsPerHour: v.SCAN_START_LIMIT_PER_HOUR ?? 12, digestResendsPerHour: v.DIGEST_RESEND_LIMIT_PER_HOUR ?? 10 },
    digest: {
      transport,
      recipients: v.DIGEST_RECIPIENTS ?? [],
      routes: v.DIGEST_ROUTES ?? [],
      ...(v.DIGEST_ROUTE_TAG !== undefined && { routeTag: v.DIGEST_ROUTE_TAG }),
      ...(v.DIGEST_SENDER !== undefined && { sender: v.DIGEST_SENDER }),
      allowedDomains: v.DIGEST_ALLOWED_DOMAINS ?? [],
      maxFindings: v.DIGEST_MAX_FINDINGS ?? Number(SETTINGS.DIGEST_MAX_FINDINGS.default),
      ...(v.FINDINGS_API_BASE_URL !== undefined && { findingsApiBaseUrl: v.FINDINGS_API_BASE_URL }),
      ...(v.ACS_ENDPOINT !== undefined && { acsEndpoint: v.ACS_ENDPOINT }),
      acsLimits: { emailsPerMinute: v.ACS_EMAILS_PER_MINUTE ?? 5, emailsPerHour: v.ACS_EMAILS_PER_HOUR ?? 10, recipientsPerEmail: v.ACS_RECIPIENTS_PER_EMAIL ?? 50 },
      ...(transport === "smtp" &&
        v.SMTP_HOST !== undefined && {
          smtp: {
            host: v.SMTP_HOST,
            port: v.SMTP_PORT ?? 587,
            secure: v.SMTP_SECURE ?? false,
            ...(v.SMTP_USER !== undefined && { user: v.SMTP_USER }),
            ...(v.SMTP_PASSWORD !== undefined && { password: v.SMTP_PASSWORD }),
          },
        }),
    },
  };
}

/**
 * The Values of a local.settings.json under the process environment (the
 * environment wins, as with the Functions host). Missing file: the environment alone.
 */
export function environmentWithLocalSettings(
  env: Readonly<Record<string, string | undefined>>,
  path = "local.settings.json",
): Record<string, string | undefined> {
  if (!existsSync(path)) return { ...env };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError([{ setting: path, problem: `is not valid JSON (${(error as Error).message})` }]);
  }
  const values = (parsed as { Values?: unknown }).Values;
  if (values !== undefined && (typeof values !== "object" || values === null)) {
    throw new ConfigError([{ setting: `${path} Values`, problem: "must be an object of strings" }]);
  }
  const merged: Record<string, string | undefined> = {};
  for (const [k, val] of Object.entries(values ?? {})) {
    if (typeof val === "string") merged[k] = val;
  }
  return { ...merged, ...env };
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
