/**
 * The console's routes as data: the Functions app registers them (./index.ts)
 * and `wiscan serve` dispatches to the same handlers (shared/console/local-server.ts).
 * Anonymous at the host like the API: App Service Authentication signs
 * callers in, and each handler checks the app role (docs/console.md).
 */
import type { FunctionInput, HttpHandler, HttpMethod } from "@azure/functions";
import * as df from "durable-functions";
import { CONSOLE_ROUTES } from "../../shared/console/paths.js";
import { liftAction, resendAction, startScanAction, suppressAction } from "./actions.js";
import { consoleAsset } from "./assets.js";
import { findingPage, findingsPage, overviewPage, scanPage, scansPage } from "./pages.js";

export interface ConsoleRoute {
  name: string;
  method: HttpMethod;
  route: string;
  handler: HttpHandler;
  /** Only where Durable Functions runs: `wiscan serve` leaves these out. */
  durable?: true;
}

export const CONSOLE_ROUTE_TABLE: readonly ConsoleRoute[] = [
  { name: "console-overview", method: "GET", route: CONSOLE_ROUTES.overview, handler: overviewPage },
  { name: "console-findings", method: "GET", route: CONSOLE_ROUTES.findings, handler: findingsPage },
  { name: "console-finding", method: "GET", route: CONSOLE_ROUTES.finding, handler: findingPage },
  { name: "console-suppress", method: "POST", route: CONSOLE_ROUTES.suppress, handler: suppressAction },
  { name: "console-lift", method: "POST", route: CONSOLE_ROUTES.lift, handler: liftAction },
  { name: "console-scans", method: "GET", route: CONSOLE_ROUTES.scans, handler: scansPage },
  { name: "console-scan-start", method: "POST", route: CONSOLE_ROUTES.scans, handler: startScanAction, durable: true },
  { name: "console-scan", method: "GET", route: CONSOLE_ROUTES.scan, handler: scanPage, durable: true },
  { name: "console-resend", method: "POST", route: CONSOLE_ROUTES.resend, handler: resendAction },
  { name: "console-asset", method: "GET", route: CONSOLE_ROUTES.asset, handler: consoleAsset },
];

export function durableInputs(route: ConsoleRoute): FunctionInput[] {
  return route.durable === true ? [df.input.durableClient()] : [];
}
