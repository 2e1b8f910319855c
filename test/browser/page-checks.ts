/**
 * What every page of the browser tests is held to: no Content-Security-Policy
 * violation, no serious or critical axe-core violation, no sideways scroll at
 * any width it is looked at (a phone's, NARROW, first); and a full-page
 * screenshot at each width for people to look at.
 */
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { screenshot, scrollsHorizontally, seriousAxeViolations } from "../support/browser.js";

export const NARROW = 400;

/**
 * Records every CSP violation the page reports from now on: the
 * securitypolicyviolation events of each document (through an init script,
 * which CSP does not govern) and the browser's "Refused to …" console errors.
 */
export async function watchCspViolations(page: Page): Promise<() => Promise<string[]>> {
  const logged: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) logged.push(message.text());
  });
  await page.addInitScript(`window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.documentURI));`);
  return async () => [...logged, ...((await page.evaluate("window.__cspViolations ?? []")) as string[])];
}

/** Holds the page as it is now to the rules above at each width, writing `<name>-<width>.png` under dir. */
export async function inspectPage(page: Page, dir: string, name: string, widths: readonly number[], cspViolations: () => Promise<string[]>): Promise<void> {
  for (const width of widths) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, resolve(dir, `${name}-${width}.png`));
    expect(await scrollsHorizontally(page), `${name} scrolls sideways at ${width} px`).toBe(false);
    expect(await seriousAxeViolations(page), `${name} at ${width} px`).toEqual([]);
  }
  expect(await cspViolations(), name).toEqual([]);
}
