/**
 * Injected faults: the format of a fleet's faults.json (also accepted
 * programmatically by startSimulator) and the matcher that decides, per
 * request, what goes wrong. Random choices come from a seeded PRNG so that a
 * run with the same seed and the same request order fails the same way.
 */
import { z } from "zod";
import { API_FAMILIES, type ApiFamily } from "./http.js";

export const FAULT_KINDS = ["latency", "status", "reset", "truncate", "unreachable", "forbidden", "unauthorized", "endless-continue"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** Faults a retry can get past; the others are a state of the server that stays. */
const TRANSIENT_FAULTS: ReadonlySet<FaultKind> = new Set(["latency", "status", "reset", "truncate"]);

const quotaSchema = z
  .object({
    limit: z.number().int().positive(),
    windowSeconds: z.number().positive(),
  })
  .strict();

const ruleSchema = z
  .object({
    family: z.enum(API_FAMILIES),
    /** Managed cluster name: Kubernetes requests to that cluster, or ARM requests on that managed cluster. */
    cluster: z.string().min(1).optional(),
    /** HTTP method, case-insensitive. */
    method: z.string().min(1).optional(),
    /** Regular expression tested against the request path (with query). */
    path: z.string().min(1).optional(),
    /**
     * Regular expression tested against the request body: one Resource Graph
     * query among several (they all POST to the same path, the KQL is in the body).
     */
    body: z.string().min(1).optional(),
    fault: z.enum(FAULT_KINDS),
    /** For "latency". */
    latencyMs: z.number().int().nonnegative().optional(),
    /** For "status": 429, 500 or 503. */
    status: z.union([z.literal(429), z.literal(500), z.literal(503)]).optional(),
    /** For "status" 429 (and 503): the Retry-After header. */
    retryAfterSeconds: z.number().int().nonnegative().optional(),
    /** Chance that a matching request is affected, 0..1 (default 1). */
    probability: z.number().min(0).max(1).optional(),
    /** Affect only the first N requests that the rule fires on. */
    count: z.number().int().positive().optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.fault === "latency" && rule.latencyMs === undefined) {
      ctx.addIssue({ code: "custom", path: ["latencyMs"], message: 'is required when fault is "latency"' });
    }
    if (rule.fault === "status" && rule.status === undefined) {
      ctx.addIssue({ code: "custom", path: ["status"], message: 'is required when fault is "status" (429, 500 or 503)' });
    }
    if (rule.fault === "endless-continue" && rule.family !== "kubernetes") {
      ctx.addIssue({ code: "custom", path: ["fault"], message: '"endless-continue" is a fault of Kubernetes lists: family must be "kubernetes"' });
    }
    for (const field of ["path", "body"] as const) {
      const pattern = rule[field];
      if (pattern === undefined) continue;
      try {
        new RegExp(pattern);
      } catch (error) {
        ctx.addIssue({ code: "custom", path: [field], message: `is not a valid regular expression: ${(error as Error).message}` });
      }
    }
  });

export const faultsConfigSchema = z
  .object({
    /** Seed of the PRNG behind `probability` (default 1). */
    seed: z.number().int().optional(),
    /** Latency added to every request, in milliseconds. */
    latencyMs: z.number().int().nonnegative().optional(),
    /** Resource Graph quota per caller; null turns it off. Default 15 per 5 s, as in Azure. */
    resourceGraphQuota: quotaSchema.nullable().optional(),
    /** ARM read quota per caller (429 with Retry-After beyond it); off by default. */
    armReadQuota: quotaSchema.nullable().optional(),
    rules: z.array(ruleSchema).optional(),
    /**
     * Transient faults (status, reset, latency) hit one request (family, cluster,
     * method, path with query) at most this many times, so a client that retries
     * more often always gets through in the end. Persistent ones (unreachable,
     * forbidden, unauthorized) are not limited. Unlimited when absent.
     */
    maxFaultsPerRequest: z.number().int().positive().optional(),
  })
  .strict();

export type FaultsConfig = z.input<typeof faultsConfigSchema>;
export type FaultRule = z.output<typeof ruleSchema>;
export type Quota = z.output<typeof quotaSchema>;

export const DEFAULT_RESOURCE_GRAPH_QUOTA: Quota = { limit: 15, windowSeconds: 5 };

export class FaultsValidationError extends Error {
  override readonly name = "FaultsValidationError";
  constructor(readonly issues: ReadonlyArray<{ field: string; problem: string }>) {
    super("Invalid faults: " + issues.map((i) => `${i.field}: ${i.problem}`).join("; "));
  }
}

/** Validates a faults description (the content of faults.json); undefined or {} means no faults. */
export function parseFaults(raw: unknown): z.output<typeof faultsConfigSchema> {
  const result = faultsConfigSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  throw new FaultsValidationError(
    result.error.issues.map((issue) => ({
      field: issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") || "(root)",
      problem: issue.message,
    })),
  );
}

/** What the server must do to one request. */
export type FaultAction =
  | { kind: "status"; status: 429 | 500 | 503; retryAfterSeconds?: number }
  | { kind: "reset" }
  /** The answer starts (status, headers, half the body), then the connection drops. */
  | { kind: "truncate" }
  | { kind: "unreachable" }
  | { kind: "forbidden" }
  | { kind: "unauthorized" }
  /**
   * A list answers every page as usual, except that the last one also
   * carries a continue token, back to the first page: a client that follows
   * the tokens never reaches an end. Imitates an aggregated API server whose
   * paging is broken, or a proxy in front of the API server that drops the
   * `continue` parameter, so that the first page (with its token) comes back
   * again and again.
   */
  | { kind: "endless-continue" };

export interface RequestDescription {
  family: ApiFamily;
  method: string;
  /** Path with query. */
  path: string;
  /** The request body (Azure requests only). */
  body?: string;
  /** The managed cluster concerned, when there is one. */
  cluster?: string;
}

export interface FaultDecision {
  latencyMs: number;
  action?: FaultAction;
}

export interface QuotaState {
  allowed: boolean;
  remaining: number;
  resetsAfterMs: number;
}

interface CompiledRule {
  rule: FaultRule;
  pathPattern?: RegExp;
  bodyPattern?: RegExp;
  fired: number;
}

export class FaultInjector {
  private readonly rules: CompiledRule[];
  private readonly random: () => number;
  private readonly latencyMs: number;
  private readonly resourceGraphQuota: Quota | null;
  private readonly armReadQuota: Quota | null;
  private readonly maxFaultsPerRequest: number;
  private readonly faultsPerRequest = new Map<string, number>();
  private readonly windows = new Map<string, { startedAt: number; used: number }>();
  /** Faults applied so far, by "family kind" (e.g. "kubernetes status 503"): tests compare them with the retries they caused. */
  private readonly injected = new Map<string, number>();

  constructor(config: FaultsConfig | undefined, overrides: { latencyMs?: number } = {}) {
    const parsed = parseFaults(config);
    this.rules = (parsed.rules ?? []).map((rule) => ({
      rule,
      ...(rule.path !== undefined && { pathPattern: new RegExp(rule.path) }),
      ...(rule.body !== undefined && { bodyPattern: new RegExp(rule.body) }),
      fired: 0,
    }));
    this.random = mulberry32(parsed.seed ?? 1);
    this.latencyMs = overrides.latencyMs ?? parsed.latencyMs ?? 0;
    this.resourceGraphQuota = parsed.resourceGraphQuota === undefined ? DEFAULT_RESOURCE_GRAPH_QUOTA : parsed.resourceGraphQuota;
    this.armReadQuota = parsed.armReadQuota ?? null;
    this.maxFaultsPerRequest = parsed.maxFaultsPerRequest ?? Number.POSITIVE_INFINITY;
  }

  /** Latency to add and the fault (if any) to apply. Latency rules add up; the first other rule that fires wins. */
  decide(request: RequestDescription): FaultDecision {
    let latencyMs = this.latencyMs;
    let action: FaultAction | undefined;
    const requestKey = `${request.family} ${request.cluster ?? ""} ${request.method.toUpperCase()} ${request.path}`;
    const faultedBefore = this.faultsPerRequest.get(requestKey) ?? 0;
    const exhausted = faultedBefore >= this.maxFaultsPerRequest;
    let faulted = false;
    for (const compiled of this.rules) {
      if (!this.matches(compiled, request)) continue;
      const { rule } = compiled;
      const transient = TRANSIENT_FAULTS.has(rule.fault);
      if (transient && exhausted) continue;
      if (rule.fault !== "latency" && action !== undefined) continue;
      if (rule.count !== undefined && compiled.fired >= rule.count) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      compiled.fired += 1;
      if (transient) faulted = true;
      const key = [rule.family, rule.fault, ...(rule.status !== undefined ? [String(rule.status)] : [])].join(" ");
      this.injected.set(key, (this.injected.get(key) ?? 0) + 1);
      if (rule.fault === "latency") latencyMs += rule.latencyMs ?? 0;
      else action = toAction(rule);
    }
    if (faulted) this.faultsPerRequest.set(requestKey, faultedBefore + 1);
    return { latencyMs, ...(action && { action }) };
  }

  /** How often each rule kind fired, by "family fault [status]"; quota refusals are not rules and not counted. */
  injectedCounts(): Record<string, number> {
    return Object.fromEntries([...this.injected].sort(([a], [b]) => a.localeCompare(b)));
  }

  /**
   * True when a rule makes the cluster unreachable for every request (no
   * method, path, probability or count): its kubeconfig then names an address
   * that refuses connections.
   */
  isClusterAlwaysUnreachable(cluster: string): boolean {
    return this.rules.some(
      ({ rule }) =>
        rule.family === "kubernetes" &&
        rule.fault === "unreachable" &&
        rule.cluster === cluster &&
        rule.method === undefined &&
        rule.path === undefined &&
        rule.body === undefined &&
        rule.probability === undefined &&
        rule.count === undefined,
    );
  }

  /** Takes one Resource Graph query from the caller's quota. */
  takeResourceGraphQuota(caller: string, now = Date.now()): QuotaState | undefined {
    return this.resourceGraphQuota ? this.take(`rg:${caller}`, this.resourceGraphQuota, now) : undefined;
  }

  /** Takes one ARM read from the caller's quota. */
  takeArmRead(caller: string, now = Date.now()): QuotaState | undefined {
    return this.armReadQuota ? this.take(`arm:${caller}`, this.armReadQuota, now) : undefined;
  }

  private take(key: string, quota: Quota, now: number): QuotaState {
    const windowMs = quota.windowSeconds * 1000;
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= windowMs) {
      window = { startedAt: now, used: 0 };
      this.windows.set(key, window);
    }
    const resetsAfterMs = window.startedAt + windowMs - now;
    if (window.used >= quota.limit) return { allowed: false, remaining: 0, resetsAfterMs };
    window.used += 1;
    return { allowed: true, remaining: quota.limit - window.used, resetsAfterMs };
  }

  private matches({ rule, pathPattern, bodyPattern }: CompiledRule, request: RequestDescription): boolean {
    if (rule.family !== request.family) return false;
    if (rule.cluster !== undefined && rule.cluster !== request.cluster) return false;
    if (rule.method !== undefined && rule.method.toUpperCase() !== request.method.toUpperCase()) return false;
    if (pathPattern && !pathPattern.test(request.path)) return false;
    if (bodyPattern && !bodyPattern.test(request.body ?? "")) return false;
    return true;
  }
}

function toAction(rule: FaultRule): FaultAction {
  switch (rule.fault) {
    case "status":
      return {
        kind: "status",
        status: rule.status ?? 500,
        ...(rule.retryAfterSeconds !== undefined && { retryAfterSeconds: rule.retryAfterSeconds }),
      };
    case "reset":
      return { kind: "reset" };
    case "truncate":
      return { kind: "truncate" };
    case "unreachable":
      return { kind: "unreachable" };
    case "forbidden":
      return { kind: "forbidden" };
    case "unauthorized":
      return { kind: "unauthorized" };
    case "endless-continue":
      return { kind: "endless-continue" };
    case "latency":
      throw new Error("latency is not an action");
  }
}

/** A small seeded PRNG (mulberry32): reproducible, good enough for fault dice. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
