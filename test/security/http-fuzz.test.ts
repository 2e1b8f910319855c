/**
 * The HTTP API under 1,000+ generated hostile requests (fast-check, fixed
 * seed): bad JSON, huge bodies, wrong types, OData injection, path traversal
 * in ids, unicode, missing and repeated parameters, wrong methods. Requests
 * are routed the way the Functions host routes them, from the registrations
 * the function modules make (methods and route templates, captured from
 * app.http), and reach the real handlers as real HttpRequest objects; behind
 * them, the findings store on Azurite seeded with known findings, and the
 * Durable client talking to the loopback stand-in of the extension.
 *
 * Every answer must be a 2xx, or a 4xx that says why; never a 5xx; and a
 * findings list never holds a row its filter excludes, nor more rows than
 * the page size.
 */
import azfn from "@azure/functions";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { Finding } from "../../shared/findings/index.js";
import { CHECK_IDS, SEVERITIES } from "../../shared/findings/index.js";
import type { StoredFinding } from "../../shared/store/index.js";
import { startDurableExtension, type DurableExtension } from "../functions/durable/durable-extension.js";
import { clusterId, finding, health, scanRun, SUB_A, SUB_B, testStore } from "../store/fixtures.js";
import { summaryLine } from "../reliability/summary.js";
import { APP_ROLES } from "../../shared/auth/index.js";

const { HttpRequest, InvocationContext } = azfn;
type Handler = (request: InstanceType<typeof HttpRequest>, context: InstanceType<typeof InvocationContext>) => Promise<unknown>;

interface Registration {
  name: string;
  methods: string[];
  /** Route template segments, e.g. ["findings", "{id}"]. */
  route: string[];
  handler: Handler;
  durable: boolean;
}

const RUNS = 1_000;
const SEED = 20261130;

let registrations: Registration[] = [];
let extension: DurableExtension;
let seeded: Finding[] = [];
let useFindingsStore: (store: Parameters<typeof import("../../functions/http/store-instance.js").useFindingsStore>[0]) => void;

// ------------------------------------------------------------------ the store's known content

const NAMESPACES = ["payments", "batch", "ns' or '1' eq '1", "ünïcødé-名前", "a/b", "%2e%2e"];
const CLUSTERS = ["aks-one", "aks-two", "AKS-Three"];
const IDENTITIES = ["aaaaaaaa-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002"];

function seedFindings(): Finding[] {
  const out: Finding[] = [];
  let i = 0;
  for (const cluster of CLUSTERS) {
    for (const namespace of NAMESPACES) {
      const checkId = CHECK_IDS[i % CHECK_IDS.length]!;
      const severity = SEVERITIES[i % SEVERITIES.length]!;
      const subscriptionId = i % 2 === 0 ? SUB_A : SUB_B;
      out.push(
        finding(
          checkId,
          { subscriptionId, cluster, clusterId: clusterId(cluster, subscriptionId), namespace, name: `sa-${i}`, identityClientId: IDENTITIES[i % 2]! },
          { severity },
        ),
      );
      i++;
    }
  }
  return out;
}

// ------------------------------------------------------------------ routing as the host does it

interface HostileRequest {
  method: string;
  path: string;
  query: Array<[string, string]>;
  body?: string;
  headers: Record<string, string>;
}

interface Answer {
  status: number;
  json?: unknown;
  text?: string;
  /** Answered by the routing (no function for this method and path), not by a handler. */
  byHost: boolean;
  handler?: string;
}

function route(pathname: string, method: string): { registration?: Registration; params: Record<string, string>; methodAllowed: boolean } {
  const segments = pathname.replace(/^\/api\/?/, "").split("/").filter((s) => s !== "");
  let pathMatched = false;
  for (const registration of registrations) {
    if (registration.route.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    registration.route.forEach((part, i) => {
      const segment = segments[i]!;
      if (/^\{\w+\}$/.test(part)) {
        try {
          params[part.slice(1, -1)] = decodeURIComponent(segment);
        } catch {
          ok = false;
        }
      } else if (part.toLowerCase() !== segment.toLowerCase()) ok = false;
    });
    if (!ok) continue;
    pathMatched = true;
    if (registration.methods.includes(method)) return { registration, params, methodAllowed: true };
  }
  return { params: {}, methodAllowed: !pathMatched };
}

async function send(request: HostileRequest): Promise<Answer> {
  // A lone surrogate cannot travel in a URL; browsers and clients send U+FFFD instead.
  const encode = (text: string) => encodeURIComponent(text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"));
  const search = request.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&");
  let url: URL;
  try {
    url = new URL(`https://wiscan-func.azurewebsites.net/api/${request.path}${search ? `?${search}` : ""}`);
  } catch {
    return { status: 400, text: "malformed URL", byHost: true };
  }
  const target = route(url.pathname, request.method);
  if (!target.registration) {
    return { status: target.methodAllowed ? 404 : 405, text: `no function for ${request.method} ${url.pathname}`, byHost: true };
  }
  const registration = target.registration;
  const httpRequest = new HttpRequest({
    method: request.method,
    url: url.toString(),
    headers: request.headers,
    params: target.params,
    // The host drops the body of a GET or HEAD before the handler sees it.
    ...(request.body !== undefined && !["GET", "HEAD"].includes(request.method) && { body: { string: request.body } }),
  });
  const context = registration.durable
    ? extension.context(registration.name)
    : new InvocationContext({ functionName: registration.name, invocationId: "fuzz", logHandler: () => undefined });
  const response = (await registration.handler(httpRequest, context)) as { status?: number; jsonBody?: unknown; body?: unknown } | InstanceType<typeof azfn.HttpResponse>;
  if (response instanceof azfn.HttpResponse) {
    const text = await response.text();
    return { status: response.status, text, json: safeJson(text), byHost: false, handler: registration.name };
  }
  return { status: response.status ?? 200, json: response.jsonBody, text: typeof response.body === "string" ? response.body : undefined, byHost: false, handler: registration.name };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ what may come back

/** Why a 4xx was answered: our handlers put it in error.message (and name the parameter). */
function reasonOf(answer: Answer): string | undefined {
  if (answer.byHost) return answer.text;
  const error = (answer.json as { error?: { message?: unknown } } | undefined)?.error;
  return typeof error?.message === "string" && error.message.trim() !== "" ? error.message : undefined;
}

/** Problems with a findings list answer: rows the filter excludes, or more rows than asked for. */
function filterViolations(query: Array<[string, string]>, answer: Answer, now: number): string[] {
  const items = ((answer.json as { items?: StoredFinding[] } | undefined)?.items ?? []) as StoredFinding[];
  const get = (name: string) => query.find(([k]) => k === name)?.[1];
  const problems: string[] = [];
  const pageSize = Number(get("pageSize") ?? "100");
  if (items.length > pageSize) problems.push(`${items.length} rows for pageSize ${pageSize}`);
  const status = get("status") ?? "open";
  for (const f of items) {
    const label = `${f.id} (${f.resource.cluster}/${f.resource.namespace})`;
    if (status !== "all" && f.status !== status) problems.push(`${label}: status ${f.status}, filter ${status}`);
    if (get("severity") !== undefined && f.severity !== get("severity")) problems.push(`${label}: severity ${f.severity}`);
    if (get("check") !== undefined && f.checkId !== get("check")) problems.push(`${label}: check ${f.checkId}`);
    if (get("subscription") !== undefined && f.resource.subscriptionId?.toLowerCase() !== get("subscription")!.toLowerCase()) problems.push(`${label}: subscription`);
    const cluster = get("cluster")?.toLowerCase();
    if (cluster !== undefined && f.resource.cluster?.toLowerCase() !== cluster && f.resource.clusterId?.toLowerCase() !== cluster) problems.push(`${label}: cluster`);
    if (get("namespace") !== undefined && f.resource.namespace !== get("namespace")) problems.push(`${label}: namespace`);
    if (get("identity") !== undefined && f.resource.identityClientId?.toLowerCase() !== get("identity")!.toLowerCase()) problems.push(`${label}: identity`);
    const since = get("since");
    if (since !== undefined && Date.parse(f.changedAt) < Date.parse(since)) problems.push(`${label}: changed ${f.changedAt} before ${since}`);
    if (!seeded.some((s) => s.id === f.id)) problems.push(`${label}: not a finding the store was given`);
  }
  void now;
  return problems;
}

// ------------------------------------------------------------------ hostile inputs

const hostileText = fc.oneof(
  fc.constantFrom(
    "../../etc/passwd",
    "..%2F..%2Fsecrets",
    "..\\..\\windows",
    "x' or PartitionKey ne 'x",
    "' or 1 eq 1 or '",
    "RowKey ge '' and RowKey lt '~'",
    "$filter=true",
    "%00",
    "\u0000",
    "\ud800",
    "名前",
    "🙂".repeat(300),
    "<script>alert(1)</script>",
    "${jndi:ldap://x}",
    "__proto__",
    "constructor",
    "a".repeat(1025),
    "a".repeat(5000),
    "",
    " ",
    "null",
    "-1",
    "1e309",
    "0x10",
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
);

const validValue = (name: string): fc.Arbitrary<string> => {
  switch (name) {
    case "severity":
      return fc.constantFrom(...SEVERITIES);
    case "check":
      return fc.constantFrom(...CHECK_IDS);
    case "status":
      return fc.constantFrom("open", "resolved", "suppressed", "all");
    case "subscription":
      return fc.constantFrom(SUB_A, SUB_B, SUB_A.toUpperCase());
    case "identity":
      return fc.constantFrom(...IDENTITIES);
    case "cluster":
      return fc.constantFrom(...CLUSTERS, clusterId("aks-one"), "aks-one".toUpperCase());
    case "namespace":
      return fc.constantFrom(...NAMESPACES);
    case "since":
      return fc.constantFrom("2026-11-01", "2026-11-09T06:00:00Z", "2030-01-01");
    case "pageSize":
      return fc.constantFrom("1", "2", "5", "1000", "1001", "0", "-3", "abc");
    case "format":
      return fc.constantFrom("json", "csv", "xml");
    default:
      return hostileText;
  }
};

const PARAMETER_NAMES = ["severity", "check", "status", "subscription", "identity", "cluster", "namespace", "since", "pageSize", "continuationToken", "format", "code"];

const parameter = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PARAMETER_NAMES).chain((name) => fc.tuple(fc.constant(name), fc.oneof({ weight: 3, arbitrary: validValue(name) }, { weight: 1, arbitrary: hostileText }))) },
  { weight: 1, arbitrary: fc.tuple(hostileText, hostileText) },
);

/** Filters a security team would send: each parameter at most once, with a value the API accepts. */
const FILTER_NAMES = ["severity", "check", "status", "subscription", "identity", "cluster", "namespace", "since", "pageSize"];
const validQuery = fc
  .subarray(FILTER_NAMES, { maxLength: 3 })
  .chain((names) => fc.tuple(...names.map((name) => validValue(name).map((value): [string, string] => [name, value]))));

const hostileQuery = fc
  .array(parameter, { maxLength: 5 })
  // Sometimes a parameter repeated, as ?severity=high&severity=low.
  .chain((params) => fc.boolean().map((repeat) => (repeat && params.length > 0 ? [...params, params[0]!] : params)));

const query = fc.oneof(validQuery, hostileQuery);

const suppressionBody = fc.record(
  {
    checkId: fc.oneof(fc.constantFrom(...CHECK_IDS), hostileText, fc.integer(), fc.constant(null)),
    reason: fc.oneof(fc.constant("accepted risk"), hostileText, fc.array(fc.string())),
    createdBy: fc.oneof(fc.constant("fuzz@example.com"), hostileText, fc.boolean()),
    expiresAt: fc.oneof(fc.constantFrom("2099-01-01T00:00:00Z", "2000-01-01T00:00:00Z", "tomorrow"), hostileText),
    cluster: fc.oneof(fc.constantFrom(...CLUSTERS, "*"), hostileText),
    namespace: fc.oneof(fc.constantFrom(...NAMESPACES), hostileText),
    extra: hostileText,
  },
  { requiredKeys: [] },
);

const scanBody = fc.record(
  {
    subscriptions: fc.oneof(fc.constant([SUB_A]), fc.array(hostileText, { maxLength: 3 }), hostileText),
    clusters: fc.oneof(fc.constant(["aks-one"]), fc.array(hostileText, { maxLength: 3 }), fc.integer()),
    managementGroups: fc.oneof(fc.constant([]), fc.array(hostileText, { maxLength: 2 })),
    sendDigest: fc.oneof(fc.boolean(), hostileText),
    force: fc.boolean(),
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(suppressionBody, scanBody).map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.constantFrom("{", "[1,2", "{\"checkId\": }", "null", "[]", "\"text\"", "42", "{\"__proto__\":{\"admin\":true}}", "\uFEFF{}", "") },
  { weight: 1, arbitrary: fc.constantFrom(300_000, 70_000, 16 * 1024 + 1).map((n) => JSON.stringify({ reason: "x".repeat(n), checkId: "sa.no-matching-fic" })) },
  { weight: 1, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.json() },
);

const idSegment = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom("SEEDED_ID", "20261130T060000Z-abc123", "scan-1") },
  { weight: 3, arbitrary: hostileText.map((t) => encodeURIComponent(t.replace(/[\ud800-\udfff]/g, "\ufffd"))) },
  { weight: 1, arbitrary: fc.constantFrom("..", "%2e%2e", "..%2f..%2fscans", "%2F", "a%2Fb", "%00", "%", "%zz") },
);

const path = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("findings", "scans", "suppressions") },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom("findings", "scans", "suppressions"), idSegment).map(([r, id]) => `${r}/${id}`) },
  { weight: 1, arbitrary: fc.constantFrom("findings/../scans", "findings/a/b", "../admin", "FINDINGS", "scans/", "", "findings/%2e%2e/%2e%2e/host.json") },
);

const method = fc.oneof({ weight: 5, arbitrary: fc.constantFrom("GET", "POST", "DELETE") }, { weight: 1, arbitrary: fc.constantFrom("PUT", "PATCH", "HEAD", "OPTIONS", "TRACE") });

/**
 * Mostly a method and route that exist (so the handlers see the hostile
 * parts), sometimes any pair. The routes are the ones the modules register,
 * whatever they are; the filtered findings list, where rows could leak, is
 * asked three times as often.
 */
function hostileRequests(routes: ReadonlyArray<readonly [string, string]>): fc.Arbitrary<HostileRequest> {
  const weighted = routes.flatMap((r) => (r[0] === "GET" && r[1] === "findings" ? [r, r, r] : [r]));
  const target = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...weighted), idSegment).map(([[m, r], id]) => ({ method: m, path: r.replace(/\{\w+\}/g, id) })) },
    { weight: 1, arbitrary: fc.record({ method, path }) },
  );
  return fc
    .record({
      target,
      query,
      body: fc.option(body, { nil: undefined }),
      headers: fc.oneof(
        fc.constant({ "content-type": "application/json" }),
        fc.constant({ "content-type": "text/plain", "x-ms-client-principal-name": "<b>mallory</b>" }),
        fc.constant({ "content-type": "application/json", "content-length": "999999999" }),
      ),
    })
    .map(({ target: t, ...rest }) => ({ ...t, ...rest }));
}

// ------------------------------------------------------------------ the run

beforeAll(async () => {
  const spy = vi.spyOn(azfn.app, "http").mockImplementation((name: string, options: azfn.HttpFunctionOptions) => {
    registrations.push({
      name,
      methods: (options.methods ?? ["GET", "POST"]).map((m) => String(m).toUpperCase()),
      route: (options.route ?? name).split("/").filter((s) => s !== ""),
      handler: options.handler as unknown as Handler,
      durable: (options.extraInputs ?? []).some((input) => (input as { type?: string }).type === "durableClient"),
    });
  });
  try {
    await import("../../functions/http/index.js");
    await import("../../functions/scans/start.js");
  } finally {
    spy.mockRestore();
  }
  ({ useFindingsStore } = await import("../../functions/http/store-instance.js"));

  extension = await startDurableExtension();
  vi.stubEnv("SCAN_SUBSCRIPTIONS", SUB_A);
  vi.stubEnv("SCAN_MANAGEMENT_GROUPS", "");
  vi.stubEnv("MAIL_TRANSPORT", "none");
  // A caller with every app role, so the hostile requests reach the handlers (test/functions/http/access.test.ts tests the gate).
  vi.stubEnv("WISCAN_DEV_PRINCIPAL", JSON.stringify({ name: "fuzzer@example.com", roles: Object.values(APP_ROLES) }));
  // Routes that build their runtime from the settings (the digest resend) find the same Azurite.
  vi.stubEnv("FINDINGS_STORAGE_CONNECTION_STRING", inject("azuriteTables"));

  const { store } = await testStore("fuzz");
  seeded = seedFindings();
  const clusters = CLUSTERS.map((c) => health(c));
  // Two scans: the second drops a few findings, so some are resolved and the status filter matters.
  await store.saveScan(scanRun("scan-1", "2026-11-02T06:00:00.000Z", clusters, seeded), seeded);
  const second = seeded.filter((_, i) => i % 5 !== 0);
  await store.saveScan(scanRun("scan-2", "2026-11-09T06:00:00.000Z", clusters, second), second);
  useFindingsStore(store);
}, 120_000);

afterAll(async () => {
  useFindingsStore?.(undefined);
  vi.unstubAllEnvs();
  await extension?.close();
});

describe("the HTTP API fed hostile requests", () => {
  it("registers the routes the fuzzing goes through", () => {
    expect(registrations.map((r) => `${r.methods.join(",")} ${r.route.join("/")}`)).toEqual(
      expect.arrayContaining([
        "DELETE suppressions/{id}",
        "GET findings",
        "GET findings/{id}",
        "GET scans",
        "GET scans/{id}",
        "GET suppressions",
        "POST scans",
        "POST suppressions",
      ]),
    );
  });

  it("refuses a continuation token replayed with a different filter, rather than skipping or leaking rows", async () => {
    const first = await send({ method: "GET", path: "findings", query: [["status", "all"], ["pageSize", "2"]], headers: {} });
    const token = (first.json as { continuationToken?: string }).continuationToken;
    expect(first.status).toBe(200);
    expect(token).toEqual(expect.any(String));
    for (const other of [[["status", "all"], ["severity", "high"]], [["status", "open"]], [["status", "all"], ["namespace", "payments"]]] as Array<Array<[string, string]>>) {
      const replay = await send({ method: "GET", path: "findings", query: [...other, ["pageSize", "2"], ["continuationToken", token!]], headers: {} });
      expect(replay.status, JSON.stringify(other)).toBe(400);
      expect(reasonOf(replay)).toMatch(/continuationToken/);
    }
  });

  it(`answers ${RUNS} generated hostile requests with a 2xx or a 4xx that says why, never a 5xx, and never a row outside the filter`, async () => {
    const tally = { requests: 0, byHandler: 0, byHost: 0, status2xx: 0, status4xx: 0, lists: 0, rowsChecked: 0 };
    const failures: string[] = [];
    const seededId = seeded[1]!.id;
    const run = fc.assert(
      fc.asyncProperty(hostileRequests(registrations.flatMap((r) => r.methods.map((m) => [m, r.route.join("/")] as const))), async (generated) => {
        const request = { ...generated, path: generated.path.replace("SEEDED_ID", seededId) };
        tally.requests += 1;
        let answer: Answer;
        try {
          answer = await send(request);
        } catch (error) {
          failures.push(`${request.method} ${request.path}: threw ${(error as Error).message}`);
          return false;
        }
        if (answer.byHost) tally.byHost += 1;
        else tally.byHandler += 1;
        const label = `${request.method} /api/${request.path}?${JSON.stringify(request.query)} body=${(request.body ?? "").slice(0, 80)}`;
        if (answer.status >= 500 || answer.status < 200 || (answer.status >= 300 && answer.status < 400)) {
          failures.push(`${label}: ${answer.status} ${JSON.stringify(answer.json ?? answer.text)?.slice(0, 300)}`);
          return false;
        }
        if (answer.status >= 400) {
          tally.status4xx += 1;
          if (reasonOf(answer) === undefined) {
            failures.push(`${label}: ${answer.status} without a reason`);
            return false;
          }
          return true;
        }
        tally.status2xx += 1;
        if (answer.handler === "findings-list" && answer.json !== undefined) {
          tally.lists += 1;
          tally.rowsChecked += ((answer.json as { items?: unknown[] }).items ?? []).length;
          const problems = filterViolations(request.query, answer, Date.now());
          if (problems.length > 0) {
            failures.push(`${label}: ${problems.slice(0, 5).join("; ")}`);
            return false;
          }
        }
        if (answer.handler === "findings-get") {
          const id = (answer.json as { finding?: { id?: string } }).finding?.id;
          if (id !== seededId && !seeded.some((s) => s.id === id)) {
            failures.push(`${label}: returned finding ${String(id)}`);
            return false;
          }
        }
        return true;
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    await run.catch(() => undefined);
    expect(failures).toEqual([]);
    // The generator reaches the handlers most of the time, and some answers carry data.
    expect(tally.byHandler).toBeGreaterThan(RUNS / 2);
    expect(tally.status2xx).toBeGreaterThan(50);
    expect(tally.lists).toBeGreaterThan(80);
    expect(tally.rowsChecked).toBeGreaterThan(300);
    summaryLine(
      "hostile input: HTTP API",
      `${tally.requests} generated requests (${tally.byHandler} reached a handler, ${tally.byHost} refused by routing): ${tally.status2xx} 2xx, ${tally.status4xx} 4xx with a reason, 0 5xx`,
      `0 rows outside the filter in ${tally.lists} findings lists (${tally.rowsChecked} rows checked)`,
      "leaked",
    );
  }, 180_000);
});
