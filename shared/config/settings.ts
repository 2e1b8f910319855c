/**
 * Every app setting wiscan reads, declared once: the configuration loader, the
 * sample settings file, the README's reference and the Bicep consistency test
 * all come from this list, so they cannot drift apart.
 */
import { z } from "zod";
import { parseDigestRoutes } from "../digest/routing.js";
import { connectionStringProblem } from "./connection-string.js";
import { parseDevelopmentPrincipal } from "../auth/principal.js";
import { AZURE_CLOUDS } from "../azure/clouds.js";

export interface SettingSpec {
  name: string;
  description: string;
  /** A safe example for local.settings.sample.json (never a real secret). */
  example: string;
  /** Used when the setting is absent; undefined means the setting is optional with no default. */
  default?: string;
  /** Secrets are never echoed in error messages or logs. */
  secret?: boolean;
  schema: z.ZodType<unknown>;
}

const guid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "must be a GUID like 00000000-0000-0000-0000-000000000000");

const commaList = (item: z.ZodString) =>
  z
    .string()
    .transform((s) => s.split(",").map((p) => p.trim()).filter((p) => p.length > 0))
    .pipe(z.array(item));

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const boolean = z.enum(["true", "false"], "must be true or false").transform((v) => v === "true");

const httpsUrl = z
  .string()
  .url("must be a URL")
  .refine((u) => u.startsWith("https://"), "must start with https://");

const email = z.string().email("must be an email address");

// parseDigestRoutes' message already names the bad entry; the loader adds the setting's name itself.
const digestRoutes = z.string().transform((value, ctx) => {
  try {
    return parseDigestRoutes(value);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error instanceof Error ? error.message : String(error)).replace(/^DIGEST_ROUTES /, "") });
    return z.NEVER;
  }
});

// Azure tag names: at most 512 characters, none of < > % & \ ? /.
const tagName = z.string().regex(/^[^<>%&\\?/]{1,512}$/, "must be a subscription tag name (at most 512 characters, none of < > % & \\ ? /)");

// Six-field NCRONTAB, as the Functions timer trigger expects: {second} {minute} {hour} {day} {month} {day-of-week}.
const ncrontab = z
  .string()
  .refine((s) => s.trim().split(/\s+/).length === 6, "must be a six-field NCRONTAB expression, e.g. \"0 0 6 * * 1\"");

export const SETTINGS = {
  AZURE_TENANT_ID: {
    name: "AZURE_TENANT_ID",
    description: "Tenant whose identities and app registrations are scanned. Default: the credential's home tenant.",
    example: "00000000-0000-0000-0000-000000000000",
    schema: guid,
  },
  AZURE_CLOUD: {
    name: "AZURE_CLOUD",
    description:
      "The Azure cloud to scan: AzurePublicCloud, AzureUSGovernment or AzureChinaCloud. Picks ARM, Microsoft Graph and the Entra authority host (and their token scopes) together.",
    example: "AzurePublicCloud",
    default: "AzurePublicCloud",
    schema: z.enum(AZURE_CLOUDS, `must be one of ${AZURE_CLOUDS.join(", ")}`),
  },
  AZURE_CLIENT_ID: {
    name: "AZURE_CLIENT_ID",
    description: "Client id of the scanner's user-assigned managed identity (read by DefaultAzureCredential).",
    example: "00000000-0000-0000-0000-000000000000",
    schema: guid,
  },
  SCAN_SUBSCRIPTIONS: {
    name: "SCAN_SUBSCRIPTIONS",
    description: "Comma-separated subscription ids to scan. Default: every subscription the scanner can read.",
    example: "00000000-0000-0000-0000-000000000000,11111111-1111-1111-1111-111111111111",
    schema: commaList(guid),
  },
  SCAN_MANAGEMENT_GROUPS: {
    name: "SCAN_MANAGEMENT_GROUPS",
    description: "Comma-separated management group ids to scan instead of a subscription list.",
    example: "contoso-root",
    schema: commaList(z.string().regex(/^[A-Za-z0-9._()-]{1,90}$/, "must be a management group id")),
  },
  SCAN_SCHEDULE: {
    name: "SCAN_SCHEDULE",
    description: "NCRONTAB schedule of the weekly scan (UTC).",
    example: "0 0 6 * * 1",
    default: "0 0 6 * * 1",
    schema: ncrontab,
  },
  SCAN_CONCURRENCY: {
    name: "SCAN_CONCURRENCY",
    description: "Clusters scanned at once by one process.",
    example: "32",
    default: "32",
    schema: integer(1, 1000),
  },
  CLUSTER_TIMEOUT_SECONDS: {
    name: "CLUSTER_TIMEOUT_SECONDS",
    description: "Time allowed for one Kubernetes API request before the cluster is reported as timing out.",
    example: "30",
    default: "30",
    schema: integer(1, 600),
  },
  LOG_TAIL_LINES: {
    name: "LOG_TAIL_LINES",
    description: "Recent log lines read per container of a workload-identity pod when looking for AADSTS errors (0 disables log reading).",
    example: "500",
    default: "500",
    schema: integer(0, 10000),
  },
  LOG_MAX_PODS_PER_CLUSTER: {
    name: "LOG_MAX_PODS_PER_CLUSTER",
    description: "Upper bound on workload-identity pods whose logs are read per cluster.",
    example: "200",
    default: "200",
    schema: integer(0, 100000),
  },
  LOG_PODS_PER_OWNER: {
    name: "LOG_PODS_PER_OWNER",
    description: "Pods of one owner (ReplicaSet, Job, ...) whose logs are read: replicas share template, service account and token, so they fail alike.",
    example: "1",
    default: "1",
    schema: integer(1, 1000),
  },
  FINDINGS_STORAGE_CONNECTION_STRING: {
    name: "FINDINGS_STORAGE_CONNECTION_STRING",
    description: "Table Storage connection string (Azurite, local development). Production uses FINDINGS_STORAGE_ACCOUNT_URL.",
    example: "UseDevelopmentStorage=true",
    secret: true,
    schema: z
      .string()
      .min(1, "must not be empty")
      .superRefine((value, ctx) => {
        const problem = connectionStringProblem(value);
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
      }),
  },
  FINDINGS_STORAGE_ACCOUNT_URL: {
    name: "FINDINGS_STORAGE_ACCOUNT_URL",
    description: "Table endpoint of the findings storage account, reached with the managed identity (no keys).",
    example: "https://wiscanfindings.table.core.windows.net",
    schema: httpsUrl,
  },
  RETENTION_DAYS: {
    name: "RETENTION_DAYS",
    description: "Days to keep per-scan rows; the current state of every finding is kept regardless.",
    example: "90",
    default: "90",
    schema: integer(1, 3650),
  },
  SUPPRESSION_MAX_DAYS: {
    name: "SUPPRESSION_MAX_DAYS",
    description: "Longest a suppression may last, in days from its creation: accepted risks are looked at again (docs/store.md, Suppressions).",
    example: "90",
    default: "90",
    schema: integer(1, 3650),
  },
  MAIL_TRANSPORT: {
    name: "MAIL_TRANSPORT",
    description: "How the digest is delivered: acs (Azure Communication Services), smtp, or none.",
    example: "none",
    default: "none",
    schema: z.enum(["acs", "smtp", "none"], "must be acs, smtp or none"),
  },
  DIGEST_RECIPIENTS: {
    name: "DIGEST_RECIPIENTS",
    description: "Comma-separated addresses that receive the digest.",
    example: "platform-team@example.com,security@example.com",
    schema: commaList(email),
  },
  DIGEST_ROUTES: {
    name: "DIGEST_ROUTES",
    description:
      "Team digests: entries separated by ;, each <subscription id>[,<subscription id>...]=<address>[,<address>...]. Each team receives the digest of its own subscriptions.",
    example: "00000000-0000-0000-0000-000000000000=payments-team@example.com;11111111-1111-1111-1111-111111111111=web-team@example.com",
    schema: digestRoutes,
  },
  DIGEST_ROUTE_TAG: {
    name: "DIGEST_ROUTE_TAG",
    description: "Subscription tag (e.g. owner-email) whose value lists addresses that receive the digest of that subscription. Empty: no routing by tag.",
    example: "owner-email",
    schema: tagName,
  },
  DIGEST_ALLOWED_DOMAINS: {
    name: "DIGEST_ALLOWED_DOMAINS",
    description:
      "Comma-separated mail domains that addresses from DIGEST_ROUTE_TAG must belong to (exact domain, subdomains listed separately); others are dropped and reported in the fleet digest. Empty: the domains of DIGEST_RECIPIENTS and DIGEST_SENDER.",
    example: "example.com",
    schema: commaList(z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, "must be a mail domain like example.com")),
  },
  DIGEST_SENDER: {
    name: "DIGEST_SENDER",
    description: "From address of the digest (for ACS, an address of the connected email domain).",
    example: "wiscan@example.com",
    schema: email,
  },
  DIGEST_MAX_FINDINGS: {
    name: "DIGEST_MAX_FINDINGS",
    description: "Findings shown in detail in the digest at most (fewer when they would push its HTML past Gmail's clipping point); the rest are counted and linked.",
    example: "25",
    default: "25",
    schema: integer(1, 5000),
  },
  SCAN_START_LIMIT_PER_HOUR: {
    name: "SCAN_START_LIMIT_PER_HOUR",
    description: "On-demand scans POST /api/scans may start per clock hour, counted for the whole app across its instances; more get 429 with Retry-After.",
    example: "12",
    default: "12",
    schema: integer(1, 10000),
  },
  DIGEST_RESEND_LIMIT_PER_HOUR: {
    name: "DIGEST_RESEND_LIMIT_PER_HOUR",
    description: "Digest resend requests (POST /api/digests/{scanId}/resend) accepted per clock hour, counted for the whole app across its instances; more get 429 with Retry-After.",
    example: "10",
    default: "10",
    schema: integer(1, 10000),
  },
  FINDINGS_API_BASE_URL: {
    name: "FINDINGS_API_BASE_URL",
    description: "Public base URL of the findings API, for links in the digest.",
    example: "https://wiscan-func.azurewebsites.net/api",
    schema: httpsUrl,
  },
  ACS_ENDPOINT: {
    name: "ACS_ENDPOINT",
    description: "Azure Communication Services endpoint used with the managed identity when MAIL_TRANSPORT=acs.",
    example: "https://wiscan-acs.europe.communication.azure.com",
    schema: httpsUrl,
  },
  // ACS Email's sending limits per subscription (learn.microsoft.com/azure/communication-services/concepts/service-limits#email):
  // the defaults are an Azure-managed domain's; a custom verified domain starts at 30 a minute and 100 an hour.
  ACS_EMAILS_PER_MINUTE: {
    name: "ACS_EMAILS_PER_MINUTE",
    description: "Digest emails sent through ACS per minute at most (5 for an Azure-managed domain, 30 for a custom domain, more if Azure raised the quota).",
    example: "5",
    default: "5",
    schema: integer(1, 10000),
  },
  ACS_EMAILS_PER_HOUR: {
    name: "ACS_EMAILS_PER_HOUR",
    description: "Digest emails sent through ACS per hour at most (10 for an Azure-managed domain, 100 for a custom domain); digests past it wait for the hourly digest-retry timer.",
    example: "10",
    default: "10",
    schema: integer(1, 1000000),
  },
  ACS_RECIPIENTS_PER_EMAIL: {
    name: "ACS_RECIPIENTS_PER_EMAIL",
    description: "Recipients per ACS email at most (ACS accepts 50); a longer list is sent as several emails.",
    example: "50",
    default: "50",
    schema: integer(1, 50),
  },
  SMTP_HOST: {
    name: "SMTP_HOST",
    description: "SMTP server when MAIL_TRANSPORT=smtp.",
    example: "smtp.example.com",
    schema: z.string().min(1, "must not be empty"),
  },
  SMTP_PORT: {
    name: "SMTP_PORT",
    description: "SMTP port.",
    example: "587",
    default: "587",
    schema: integer(1, 65535),
  },
  SMTP_SECURE: {
    name: "SMTP_SECURE",
    description: "true for implicit TLS (port 465); false uses STARTTLS when the server offers it.",
    example: "false",
    default: "false",
    schema: boolean,
  },
  SMTP_USER: {
    name: "SMTP_USER",
    description: "SMTP user name, when the server requires authentication.",
    example: "wiscan",
    schema: z.string().min(1, "must not be empty"),
  },
  SMTP_PASSWORD: {
    name: "SMTP_PASSWORD",
    description: "SMTP password (store it in Key Vault and reference it from the app setting).",
    example: "",
    secret: true,
    schema: z.string().min(1, "must not be empty"),
  },
  PROBE_SCOPES: {
    name: "PROBE_SCOPES",
    description: "Opt-in live token-exchange probe: comma-separated subscription ids or cluster resource ids. Empty: off.",
    example: "",
    schema: commaList(z.string().min(1)),
  },
  RUN_COMMAND_SCOPES: {
    name: "RUN_COMMAND_SCOPES",
    description: "Opt-in: subscription ids or cluster resource ids whose private clusters may be scanned through ARM run command.",
    example: "",
    schema: commaList(z.string().min(1)),
  },
  WISCAN_DEV_PRINCIPAL: {
    name: "WISCAN_DEV_PRINCIPAL",
    description:
      'Local development and tests only: the caller of the HTTP API and its app roles, as JSON ({"name": "you@example.com", "roles": ["Findings.Read"]}). Refused on App Service, where App Service Authentication signs callers in.',
    example: '{"name": "dev@localhost", "roles": ["Findings.Read"]}',
    schema: z.string().transform((value, ctx) => {
      if (value.trim() === "") return undefined;
      try {
        return parseDevelopmentPrincipal(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error instanceof Error ? error.message : String(error)).replace(/^WISCAN_DEV_PRINCIPAL:? ?/, "") });
        return z.NEVER;
      }
    }),
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
