/** The browser harness itself: a page with a known accessibility fault is caught, and a clean one passes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, scrollsHorizontally, seriousAxeViolations } from "../support/browser.js";
import { watchCspViolations } from "./page-checks.js";

describe("headless Chromium from the npm registry", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("reports an image without alt text as a serious accessibility violation, even under a strict CSP", async () => {
    const page = await browser.newPage();
    await page.setContent(
      `<!doctype html><html lang="en"><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:"><title>t</title></head>` +
        `<body><main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>`,
    );
    const violations = await seriousAxeViolations(page);
    expect(violations.map((v) => v.id)).toContain("image-alt");
    await page.close();
  });

  it("tells a page that overflows a 400 px viewport from one that does not", async () => {
    const page = await browser.newPage({ viewport: { width: 400, height: 600 } });
    await page.setContent(`<!doctype html><html lang="en"><title>t</title><body><div style="width:900px">wide</div></body></html>`);
    expect(await scrollsHorizontally(page)).toBe(true);
    await page.setContent(`<!doctype html><html lang="en"><title>t</title><body><p>narrow</p></body></html>`);
    expect(await scrollsHorizontally(page)).toBe(false);
    await page.close();
  });

  it("reports what a page's CSP refuses, whether the page was navigated to or written in place", async () => {
    const page = await browser.newPage();
    const violations = await watchCspViolations(page);
    const refused = `<!doctype html><html lang="en"><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"><title>t</title></head><body><p style="color:red">styled</p></body></html>`;
    await page.goto(`data:text/html,${encodeURIComponent(refused)}`);
    expect((await violations()).join("\n")).toMatch(/style-src/);
    const fresh = await browser.newPage();
    const freshViolations = await watchCspViolations(fresh);
    await fresh.setContent(refused);
    expect((await freshViolations()).length).toBeGreaterThan(0);
    await page.close();
    await fresh.close();
  });
});
