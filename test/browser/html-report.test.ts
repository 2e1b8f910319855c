/**
 * The CLI's HTML report of the demo fleet, looked at in a real headless
 * Chromium at a phone's width (400 px) and a laptop's (1200 px): nothing
 * scrolls sideways, axe-core finds nothing serious, a hostile value from a
 * cluster is shown as text, and the page's own CSP lets its style through.
 * Screenshots go to out/report-400.png and out/report-1200.png.
 * The fleet carries two hostile values (./demo-scan.ts).
 */
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHtmlReport } from "../../shared/report/index.js";
import { launchBrowser } from "../support/browser.js";
import { HOSTILE, scanHostileDemoFleet } from "./demo-scan.js";
import { inspectPage, NARROW, watchCspViolations } from "./page-checks.js";

let browser: Browser;
let page: Page;
let cspViolations: () => Promise<string[]>;

beforeAll(async () => {
  const [outcome] = await scanHostileDemoFleet();
  // As `wiscan scan --html` calls it: the display names come with the scan.
  const html = renderHtmlReport(outcome!.scan, outcome!.findings);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.setDefaultTimeout(10_000);
  cspViolations = await watchCspViolations(page);
  // The report is opened from disk or a CI artifact; setContent is the same page without a file.
  await page.setContent(html, { waitUntil: "load" });
});

afterAll(async () => {
  await browser?.close();
});

describe("the HTML report of the demo fleet in Chromium", () => {
  it("fits 400 and 1200 px without sideways scrolling, with no serious accessibility fault and no CSP violation", async () => {
    await inspectPage(page, resolve("out"), "report", [NARROW, 1200], cspViolations);
    // The style block is allowed by its hash: the page is laid out, not raw.
    expect(await page.evaluate(`getComputedStyle(document.querySelector("main")).maxWidth`)).toBe("1120px");
  });

  it("reads at 1200 px: subscription names, controls, what was not checked, and each command with its shell", async () => {
    await page.setViewportSize({ width: 1200, height: 900 });
    const subscriptions = await page.locator("#subscriptions + table tbody tr td:first-child").allInnerTexts();
    expect(subscriptions.some((s) => s.startsWith("contoso-data"))).toBe(true);
    expect(await page.locator("#controls + table").innerText()).toContain("MCSB");
    const notChecked = await page.locator("section[aria-labelledby=coverage]").innerText();
    expect(notChecked).toContain("data-ingest");
    expect(notChecked).toContain("unreachable");
    const commands = page.locator("article.finding .cmd");
    expect(await commands.count()).toBeGreaterThan(10);
    expect(await commands.first().locator(".shell").innerText()).toBe("bash");
  });

  it("shows a hostile subscription name and annotation as text: nothing of them runs or becomes markup", async () => {
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.title()).not.toBe("pwned");
    const malformed = page.locator("article.finding", { hasText: "sa.client-id-malformed" });
    expect(await malformed.innerText()).toContain(HOSTILE);
    expect(await page.locator("#subscriptions + table").innerText()).toContain(`contoso-payments ${HOSTILE}`);
  });
});
