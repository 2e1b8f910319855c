/**
 * A real headless Chromium for browser tests, installed by `npm ci` alone:
 * @sparticuz/chromium ships the browser binary inside the npm package (no
 * download step, which this machine's and CI's closed network would refuse),
 * and playwright-core drives it. axe-core is injected from node_modules, so
 * accessibility checks need no network either.
 *
 * The flags that stop background networking matter here: without them
 * Chromium keeps trying Google's hosts, which a closed network refuses
 * (/work/.library/env/machines/node.md, "Known to work").
 */
import { createRequire } from "node:module";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import sparticuz from "@sparticuz/chromium";
import { chromium, type Browser, type Page } from "playwright-core";

const QUIET_NETWORK_FLAGS = [
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Starts a headless Chromium; close it in afterAll. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = await sparticuz.executablePath();
  return chromium.launch({
    executablePath,
    headless: true,
    // Not sparticuz.args: those are for AWS Lambda and include
    // --disable-web-security and --single-process, which would hide CSP
    // faults and break a second page.
    args: ["--no-sandbox", "--disable-gpu", "--use-angle=swiftshader", ...QUIET_NETWORK_FLAGS],
  });
}

export interface AxeViolation {
  id: string;
  impact: "minor" | "moderate" | "serious" | "critical" | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

const require = createRequire(import.meta.url);
const axeSource = (): string => require("axe-core").source as string;

/** Runs axe-core on the page as it is now and returns its violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // addScriptTag would be blocked by a strict CSP (no inline script); evaluate
  // runs in the page's isolated world through the DevTools protocol instead.
  await page.evaluate(axeSource());
  // A string, not a function: the test project compiles without the DOM library.
  return page.evaluate(`axe.run(document, { resultTypes: ["violations"] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html })) })))`) as Promise<AxeViolation[]>;
}

/** The violations a page must not have: serious and critical. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  return (await axeViolations(page)).filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** True when the page needs a horizontal scroll bar at its current viewport. */
export async function scrollsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth + 1") as Promise<boolean>;
}

/** Screenshots for people to look at go under out/ (ignored by git). */
export async function screenshot(page: Page, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
}
