/**
 * A loopback HTTPS endpoint that answers like Azure Communication Services
 * Email: POST /emails:send -> 202 with operation-location, then the operation
 * reads Running for a few polls before it ends Succeeded (or Failed).
 *
 * With `limits`, it enforces the service's sending limits the way the service
 * documents them (learn.microsoft.com/azure/communication-services/concepts/service-limits#email):
 * past `perMinute` / `perHour` accepted sends it answers 429 with Retry-After
 * (whole seconds until a send fits again), and an email with more than
 * `recipientsPerEmail` recipients (to, cc and bcc) is refused with 400. Time is
 * the `now` it is given, so tests move it instead of waiting.
 */
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { generateLoopbackTls } from "../../simulator/tls.js";

export interface AcsRequest {
  method: string;
  path: string;
  authorization: string;
  body: unknown;
}

export interface FakeAcsLimits {
  perMinute: number;
  perHour: number;
  recipientsPerEmail: number;
}

/** The Azure-managed domain's limits (service-limits#email). */
export const MANAGED_DOMAIN: FakeAcsLimits = { perMinute: 5, perHour: 10, recipientsPerEmail: 50 };

export interface FakeAcsOptions {
  limits?: FakeAcsLimits;
  now?: () => number;
}

export interface FakeAcs {
  endpoint: string;
  caPem: string;
  requests: AcsRequest[];
  /** Polls that answer Running before the final status. */
  runningPolls: number;
  finalStatus: "Succeeded" | "Failed";
  /** Answer the next POSTs with this HTTP status instead of 202. */
  failNextSends(count: number, status: number): void;
  /** When each accepted send arrived (the `now` of the options). */
  accepted: number[];
  /** Sends answered 429, with the Retry-After given in seconds. */
  throttled: Array<{ at: number; retryAfterSeconds: number }>;
  close(): Promise<void>;
}

export async function startFakeAcs(options: FakeAcsOptions = {}): Promise<FakeAcs> {
  const now = options.now ?? Date.now;
  const accepted: number[] = [];
  const throttled: Array<{ at: number; retryAfterSeconds: number }> = [];
  const tls = generateLoopbackTls();
  const requests: AcsRequest[] = [];
  const polls = new Map<string, number>();
  let failures = 0;
  let failureStatus = 503;
  let nextId = 1;
  const state = { runningPolls: 2, finalStatus: "Succeeded" as "Succeeded" | "Failed" };
  let origin = "";

  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", origin);
      requests.push({ method: req.method ?? "", path: url.pathname + url.search, authorization: String(req.headers.authorization ?? ""), body: text ? JSON.parse(text) : undefined });
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      if (!String(req.headers.authorization ?? "").startsWith("Bearer ")) return json(401, { error: { code: "Unauthorized", message: "no token" } });
      if (req.method === "POST" && url.pathname === "/emails:send" && url.searchParams.get("api-version") === "2025-09-01") {
        if (failures > 0) {
          failures -= 1;
          return json(failureStatus, { error: { code: "ServiceUnavailable", message: "try later" } });
        }
        if (options.limits) {
          const limits = options.limits;
          const body = (text ? JSON.parse(text) : {}) as { recipients?: { to?: unknown[]; cc?: unknown[]; bcc?: unknown[] } };
          const count = (body.recipients?.to?.length ?? 0) + (body.recipients?.cc?.length ?? 0) + (body.recipients?.bcc?.length ?? 0);
          if (count > limits.recipientsPerEmail) return json(400, { error: { code: "BadRequest", message: `at most ${limits.recipientsPerEmail} recipients per email (got ${count})` } });
          const at = now();
          const waitMs = Math.max(freeIn(accepted, at, 60_000, limits.perMinute), freeIn(accepted, at, 3_600_000, limits.perHour));
          if (waitMs > 0) {
            const retryAfterSeconds = Math.ceil(waitMs / 1000);
            throttled.push({ at, retryAfterSeconds });
            return json(429, { error: { code: "TooManyRequests", message: "email sending limit reached" } }, { "retry-after": String(retryAfterSeconds) });
          }
          accepted.push(at);
        }
        const id = String(req.headers["operation-id"] ?? `op-${nextId++}`);
        polls.set(id, 0);
        return json(202, { id, status: "Running" }, { "operation-location": `${origin}/emails/operations/${id}?api-version=2025-09-01` });
      }
      const match = /^\/emails\/operations\/([^/]+)$/.exec(url.pathname);
      if (req.method === "GET" && match) {
        const id = decodeURIComponent(match[1]!);
        const count = polls.get(id);
        if (count === undefined) return json(404, { error: { code: "NotFound", message: "unknown operation" } });
        polls.set(id, count + 1);
        if (count < state.runningPolls) return json(200, { id, status: "Running" });
        return state.finalStatus === "Succeeded"
          ? json(200, { id, status: "Succeeded" })
          : json(200, { id, status: "Failed", error: { code: "EmailDroppedAllRecipientsSuppressed", message: "all recipients are suppressed" } });
      }
      json(404, { error: { code: "NotFound", message: `${req.method} ${url.pathname}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint: origin,
    caPem: tls.caPem,
    requests,
    get runningPolls() {
      return state.runningPolls;
    },
    set runningPolls(n) {
      state.runningPolls = n;
    },
    get finalStatus() {
      return state.finalStatus;
    },
    set finalStatus(s) {
      state.finalStatus = s;
    },
    accepted,
    throttled,
    failNextSends(count, status) {
      failures = count;
      failureStatus = status;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Milliseconds until one more send fits a sliding window of `windowMs` holding at most `limit` sends (0: it fits now). */
function freeIn(sent: readonly number[], at: number, windowMs: number, limit: number): number {
  const inWindow = sent.filter((s) => s > at - windowMs).sort((a, b) => a - b);
  if (inWindow.length < limit) return 0;
  return inWindow[inWindow.length - limit]! + windowMs - at;
}
