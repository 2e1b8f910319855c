/**
 * The CLI's HTML report of the demo fleet, looked at in a real headless
 * Chromium at a phone's width (400 px) and a laptop's (1200 px): nothing
 * scrolls sideways, axe-core finds nothing serious, a hostile value from a
 * cluster is shown as text, and the page's own CSP lets its style through.
 * Screenshots go to out/report-400.png and out/report-1200.png.
 *
 * The demo fleet is copied with two hostile values: a subscription display
 * name and a service account's client-id annotation (which the
 * sa.client-id-malformed finding quotes in its evidence).
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAzureScanDependencies, scanFleet } from "../../shared/engine/index.js";
import { renderHtmlReport } from "../../shared/report/index.js";
import { DEMO_FLEET_DIR } from "../support/demo-answer-key.js";
import { launchBrowser, screenshot, scrollsHorizontally, seriousAxeViolations } from "../support/browser.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";

const HOSTILE = `<img src=x onerror="document.title='pwned'">`;

let browser: Browser;
let html: string;

/** The demo fleet with hostile values where Azure and Kubernetes allow any text. */
function hostileDemoFleet(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "wiscan-report-")), "fleet");
  cpSync(DEMO_FLEET_DIR, dir, { recursive: true });
  const azureFile = join(dir, "azure.json");
  const azure = JSON.parse(readFileSync(azureFile, "utf8")) as { subscriptions: Array<{ displayName: string }> };
  azure.subscriptions[0]!.displayName = `contoso-payments ${HOSTILE}`;
  writeFileSync(azureFile, JSON.stringify(azure));
  const clusterFile = join(dir, "clusters", "payments-staging.yaml");
  const yaml = readFileSync(clusterFile, "utf8");
  writeFileSync(clusterFile, yaml.replace("azure.workload.identity/client-id: id-statements", `azure.workload.identity/client-id: ${JSON.stringify(HOSTILE)}`));
  return dir;
}

beforeAll(async () => {
  const sim = await startFleetSimulator({ fleetDir: hostileDemoFleet() });
  try {
    const outcome = await scanFleet(createAzureScanDependencies(clientsFor(sim)), {
      scope: { subscriptions: [], managementGroups: [], clusters: [] },
      concurrency: 8,
      trigger: "demo",
    });
    html = renderHtmlReport(outcome.scan, outcome.findings, { subscriptions: outcome.inventory.subscriptions });
  } finally {
    await sim.close();
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

async function open(width: number): Promise<{ page: Page; cspViolations: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const cspViolations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  // The report is opened from disk or a CI artifact; setContent is the same page without a file.
  await page.setContent(html, { waitUntil: "load" });
  return { page, cspViolations };
}

describe("the HTML report of the demo fleet in Chromium", () => {
  it("fits a 400 px screen without sideways scrolling and with no serious accessibility fault", async () => {
    const { page, cspViolations } = await open(400);
    await screenshot(page, resolve("out/report-400.png"));
    expect(await scrollsHorizontally(page)).toBe(false);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(cspViolations).toEqual([]);
    await page.close();
  });

  it("reads at 1200 px: subscription names, controls, what was not checked, and each command with its shell", async () => {
    const { page, cspViolations } = await open(1200);
    await screenshot(page, resolve("out/report-1200.png"));
    expect(await scrollsHorizontally(page)).toBe(false);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(cspViolations).toEqual([]);
    // The style block is allowed by its hash: the page is laid out, not raw.
    expect(await page.evaluate(`getComputedStyle(document.querySelector("main")).maxWidth`)).toBe("1120px");

    const subscriptions = await page.locator("#subscriptions + table tbody tr td:first-child").allInnerTexts();
    expect(subscriptions.some((s) => s.startsWith("contoso-data"))).toBe(true);
    expect(await page.locator("#controls + table").innerText()).toContain("MCSB");
    const notChecked = await page.locator("section[aria-labelledby=coverage]").innerText();
    expect(notChecked).toContain("data-ingest");
    expect(notChecked).toContain("unreachable");
    const commands = page.locator("article.finding .cmd");
    expect(await commands.count()).toBeGreaterThan(10);
    expect(await commands.first().locator(".shell").innerText()).toBe("bash");
    await page.close();
  });

  it("shows a hostile subscription name and annotation as text: nothing of them runs or becomes markup", async () => {
    const { page } = await open(1200);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.title()).not.toBe("pwned");
    const malformed = page.locator("article.finding", { hasText: "sa.client-id-malformed" });
    expect(await malformed.innerText()).toContain(HOSTILE);
    expect(await page.locator("#subscriptions + table").innerText()).toContain(`contoso-payments ${HOSTILE}`);
    await page.close();
  });
});
