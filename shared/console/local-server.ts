/**
 * The console on loopback, for `wiscan serve --demo` and the browser tests:
 * node:http requests adapted to @azure/functions HttpRequest objects and
 * dispatched to the same handlers the Functions app registers (the console's
 * and GET /api/findings for the exports), on a given store.
 *
 * It stands in for App Service Authentication: every request reaches the
 * handlers as the session's caller, in the x-ms-client-principal header the
 * platform would set (whatever the browser sent in that header is dropped,
 * as the platform does), and platform authentication is switched on for the
 * process while a server runs (WEBSITE_AUTH_ENABLED=True), so the handlers
 * read the caller exactly as in Azure. One store per process: the handlers
 * share the query API's store instance and the console's CSRF key.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import azfn, { type HttpHandler, type HttpResponseInit } from "@azure/functions";
import { CLIENT_PRINCIPAL_HEADER, CLIENT_PRINCIPAL_IDP_HEADER } from "../auth/index.js";
import type { WiscanConfig } from "../config/index.js";
import { createFindingsStore, DEFAULT_TABLE_PREFIX, tableClientFactory } from "../store/index.js";
import { CONSOLE_ROUTE_TABLE } from "../../functions/console/routes.js";
import { apiHandler } from "../../functions/http/routes.js";
import { FINDING_ROUTES } from "../../functions/http/findings.js";
import { useFindingsStore } from "../../functions/http/store-instance.js";
import { useCsrfKey } from "../../functions/console/csrf-key-instance.js";
import { CONSOLE_TABLE_SUFFIX, loadOrCreateCsrfKey } from "./csrf-key.js";
import { CONSOLE_PREFIX } from "./paths.js";

export interface LocalCaller {
  id: string;
  name: string;
  /** App roles (APP_ROLES values); unknown ones are dropped, as the platform's are. */
  roles: readonly string[];
}

export interface ConsoleServerOptions {
  /** The store, as the CLI's store access takes it (a connection string or an account URL). */
  store: Exclude<WiscanConfig["store"], { kind: "none" }>;
  /** Table name prefix (default "wiscan"); tests use their own. */
  tablePrefix?: string;
  caller: LocalCaller;
  /** Default: any free port. */
  port?: number;
  /** Written to for handler errors (default: stderr). */
  log?: (line: string) => void;
}

export interface ConsoleServer {
  /** The overview's URL, e.g. http://127.0.0.1:50123/api/console */
  url: string;
  close(): Promise<void>;
}

/** Bodies the console and the API accept are far smaller (16 and 64 KiB). */
const MAX_BODY_BYTES = 128 * 1024;

interface Dispatch {
  method: string;
  pattern: RegExp;
  names: string[];
  name: string;
  handler: HttpHandler;
}

function compileRoute(name: string, method: string, route: string, handler: HttpHandler): Dispatch {
  const names: string[] = [];
  const source = route
    .split("/")
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param === null) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(param[1]!);
      return "([^/]+)";
    })
    .join("/");
  return { method, pattern: new RegExp(`^/api/${source}/?$`), names, name, handler };
}

const ROUTES: readonly Dispatch[] = [
  ...CONSOLE_ROUTE_TABLE.map((r) => compileRoute(r.name, r.method, r.route, r.handler)),
  ...FINDING_ROUTES.map((r) => compileRoute(r.name, "GET", r.route, apiHandler(r))),
];

let serversRunning = 0;
let authSettingBefore: string | undefined;

function platformAuthenticationFor(running: boolean): void {
  if (running) {
    if (serversRunning === 0) authSettingBefore = process.env["WEBSITE_AUTH_ENABLED"];
    serversRunning += 1;
    process.env["WEBSITE_AUTH_ENABLED"] = "True";
    return;
  }
  serversRunning -= 1;
  if (serversRunning > 0) return;
  if (authSettingBefore === undefined) delete process.env["WEBSITE_AUTH_ENABLED"];
  else process.env["WEBSITE_AUTH_ENABLED"] = authSettingBefore;
}

/** The caller as App Service Authentication hands it over: base64 JSON claims. */
export function clientPrincipalHeader(caller: LocalCaller): string {
  const claims = [
    { typ: "http://schemas.microsoft.com/identity/claims/objectidentifier", val: caller.id },
    { typ: "name", val: caller.name },
    ...caller.roles.map((role) => ({ typ: "roles", val: role })),
  ];
  return Buffer.from(JSON.stringify({ auth_typ: "aad", name_typ: "name", role_typ: "roles", claims })).toString("base64");
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const store = await createFindingsStore(options.store, { ...(options.tablePrefix !== undefined && { tablePrefix: options.tablePrefix }) });
  await store.ensureTables();
  useFindingsStore(store);
  const keys = tableClientFactory(options.store)(`${options.tablePrefix ?? DEFAULT_TABLE_PREFIX}${CONSOLE_TABLE_SUFFIX}`);
  await keys.createTable();
  useCsrfKey(await loadOrCreateCsrfKey(keys));
  const principal = clientPrincipalHeader(options.caller);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));

  let allowedHosts = new Set<string>();
  const server = createServer((req, res) => {
    // A page on another site whose name resolves to 127.0.0.1 (DNS rebinding) would otherwise read the console as this caller.
    if (!allowedHosts.has((req.headers.host ?? "").toLowerCase())) {
      res.writeHead(421, { "content-type": "text/plain; charset=utf-8" });
      res.end("this server answers only to 127.0.0.1 and localhost");
      return;
    }
    serve(req, res, principal, log).catch((error: unknown) => {
      log(`wiscan serve: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end("internal error");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  platformAuthenticationFor(true);
  const { port } = server.address() as AddressInfo;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  let closed = false;
  return {
    url: `http://127.0.0.1:${port}${CONSOLE_PREFIX}`,
    async close() {
      if (closed) return;
      closed = true;
      platformAuthenticationFor(false);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, principal: string, log: (line: string) => void): Promise<void> {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
  if (url.pathname === "/" || url.pathname === "") {
    res.writeHead(302, { location: CONSOLE_PREFIX });
    res.end();
    return;
  }
  const method = (req.method ?? "GET").toUpperCase();
  const candidates = ROUTES.filter((r) => r.pattern.test(url.pathname));
  const route = candidates.find((r) => r.method === method);
  if (route === undefined) {
    res.writeHead(candidates.length > 0 ? 405 : 404, { "content-type": "text/plain; charset=utf-8" });
    res.end(candidates.length > 0 ? "method not allowed" : "not found");
    return;
  }
  const match = route.pattern.exec(url.pathname)!;
  const params: Record<string, string> = {};
  route.names.forEach((name, i) => {
    params[name] = decodeURIComponent(match[i + 1]!);
  });
  const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === CLIENT_PRINCIPAL_HEADER || name === CLIENT_PRINCIPAL_IDP_HEADER) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  headers[CLIENT_PRINCIPAL_HEADER] = principal;
  headers[CLIENT_PRINCIPAL_IDP_HEADER] = "aad";
  const request = new azfn.HttpRequest({ method, url: url.toString(), headers, params, ...(body !== undefined && { body: { bytes: body } }) });
  const context = new azfn.InvocationContext({
    invocationId: randomUUID(),
    functionName: route.name,
    logHandler: (level, ...args) => {
      if (level === "error" || level === "warning") log(`${route.name}: ${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}`);
    },
  });
  write(res, await route.handler(request, context));
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Past the bound the rest is not read: the handlers refuse such a body anyway.
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function write(res: ServerResponse, response: HttpResponseInit): void {
  const headers = new Headers(response.headers as Record<string, string> | undefined);
  let body: string | Uint8Array = "";
  if (response.jsonBody !== undefined) {
    body = JSON.stringify(response.jsonBody);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  } else if (typeof response.body === "string" || response.body instanceof Uint8Array) {
    body = response.body;
  } else if (response.body !== undefined && response.body !== null) {
    throw new Error("a handler answered with a body kind the local server does not write");
  }
  res.writeHead(response.status ?? 200, Object.fromEntries(headers.entries()));
  res.end(body);
}
