/**
 * The web console in a real headless Chromium, as a security team uses it
 * (issue 19): the store holds two real scans of the demo fleet (with two
 * hostile values, ./demo-scan.ts) in the Azurite of the test setup, and the
 * console's own local server serves it twice on loopback, once to an analyst
 * who may suppress and once to a reader who may not. Every page is held to
 * ./page-checks.ts at 400 and 1440 px (screenshots under out/console/).
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { APP_ROLES } from "../../shared/auth/index.js";
import { startConsoleServer, type ConsoleServer } from "../../shared/console/local-server.js";
import { createFindingsStore } from "../../shared/store/index.js";
import type { Finding } from "../../shared/findings/index.js";
import type { ScanRun } from "../../shared/scan/model.js";
import { launchBrowser } from "../support/browser.js";
import { HOSTILE, scanHostileDemoFleet } from "./demo-scan.js";
import { inspectPage, NARROW, watchCspViolations } from "./page-checks.js";

const WIDTHS = [NARROW, 1440] as const;
const SHOTS = resolve("out/console");
const ANALYST = { id: "00000000-0000-0000-0000-00000000a11a", name: "analyst@example.com", roles: [APP_ROLES.readFindings, APP_ROLES.writeSuppressions] };
const READER = { id: "00000000-0000-0000-0000-000000000ead", name: "reader@example.com", roles: [APP_ROLES.readFindings] };

let analystServer: ConsoleServer;
let readerServer: ConsoleServer;
let browser: Browser;
let analystContext: BrowserContext;
let analyst: Page;
let analystCsp: () => Promise<string[]>;
/** The finding the tests triage: its evidence quotes the hostile client-id annotation. */
let malformed: Finding;
let lastScan: ScanRun;

beforeAll(async () => {
  const outcomes = await scanHostileDemoFleet(2);
  const store = { kind: "connection-string" as const, connectionString: inject("azuriteTables"), retentionDays: 90 };
  const tablePrefix = `browser${randomBytes(4).toString("hex")}`;
  const findings = await createFindingsStore(store, { tablePrefix });
  await findings.ensureTables();
  for (const outcome of outcomes) await findings.saveScan(outcome.scan, outcome.findings, outcome.fleetCoverage);
  lastScan = outcomes.at(-1)!.scan;
  malformed = outcomes.at(-1)!.findings.find((f) => f.checkId === "sa.client-id-malformed")!;

  analystServer = await startConsoleServer({ store, tablePrefix, caller: ANALYST });
  readerServer = await startConsoleServer({ store, tablePrefix, caller: READER });
  browser = await launchBrowser();
  analystContext = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await analystContext.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(analystServer.url).origin });
  analyst = await analystContext.newPage();
  // A missing element fails its test in seconds, not after the 30 s default.
  analyst.setDefaultTimeout(10_000);
  analystCsp = await watchCspViolations(analyst);
});

afterAll(async () => {
  await browser?.close();
  await analystServer?.close();
  await readerServer?.close();
});

const findingUrl = (server: ConsoleServer, f: Finding) => `${server.url}/findings/${encodeURIComponent(f.id)}`;

describe("the console in Chromium", () => {
  it("shows the overview of the demo scans: counts by severity, the trend, compliance by subscription name, what was not checked", async () => {
    await analyst.goto(analystServer.url);
    expect(await analyst.getByRole("heading", { level: 1 }).innerText()).toBe("Overview");
    expect(await analyst.locator("#severity-counts").innerText()).toMatch(/High/i);
    expect(await analyst.getByRole("img", { name: /Open findings and compliance over the last 2 scans/ }).count()).toBe(1);
    // By display name (kept with each scan), the hostile one as text, each with its id.
    const subscriptions = await analyst.locator("#subscriptions-table").innerText();
    expect(subscriptions).toContain("contoso-data");
    expect(subscriptions).toContain(`contoso-payments ${HOSTILE}`);
    for (const id of new Set(lastScan.clusters.map((c) => c.subscriptionId))) expect(subscriptions).toContain(id);
    expect(await analyst.locator("#clusters-table").innerText()).toContain("payments-staging");
    expect(await analyst.locator("#coverage-table").innerText()).toContain("data-ingest");
    expect(await analyst.locator("img").count()).toBe(0);
    await inspectPage(analyst, SHOTS, "overview", WIDTHS, analystCsp);
  });

  it("filters the findings by severity and check, and links exports of the same filter", async () => {
    await analyst.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Findings" }).click();
    const filters = analyst.getByRole("search", { name: "Filter findings" });
    await filters.getByLabel("Severity").selectOption("high");
    await filters.getByLabel("Check").selectOption("sa.client-id-malformed");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await analyst.waitForURL(/severity=high/);
    const rows = analyst.locator("#findings-table tbody tr");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain("sa.client-id-malformed");
    // The subscription by the name its scan kept (as text, however hostile), with the id beside it.
    const subscription = malformed.resource.subscriptionId!;
    expect(await rows.first().innerText()).toContain(`${lastScan.subscriptionNames![subscription.toLowerCase()]} (${subscription})`);
    const csv = new URL((await analyst.locator("#export-csv").getAttribute("href"))!, analystServer.url);
    expect(Object.fromEntries(csv.searchParams)).toMatchObject({ severity: "high", check: "sa.client-id-malformed", format: "csv" });
    await inspectPage(analyst, SHOTS, "findings", WIDTHS, analystCsp);
  });

  it("opens a finding, shows the hostile annotation as text, and copies its bash and PowerShell fix commands with their buttons", async () => {
    await analyst.locator("#findings-table tbody tr").first().getByRole("link").first().click();
    await analyst.waitForURL(findingUrl(analystServer, malformed));
    expect(await analyst.locator("#finding-title").innerText()).toBe(malformed.title);
    expect(await analyst.locator("main").innerText()).toContain(HOSTILE);
    expect(await analyst.locator("img").count()).toBe(0);
    expect(await analyst.title()).not.toBe("pwned");
    expect(await analyst.locator("#fix-shell").innerText()).toMatch(/bash/i);

    await analyst.getByRole("button", { name: "Copy command" }).click();
    await expect.poll(() => analyst.locator("#copy-status").innerText()).toBe("Command copied to the clipboard.");
    const copied = (await analyst.evaluate("navigator.clipboard.readText()")) as string;
    expect(copied).toBe(malformed.remediation.command);
    expect(copied).toBe(await analyst.locator("#fix-command").innerText());
    // The PowerShell form has its own button and puts its own text there.
    const powershell = await analyst.locator("#fix-command-powershell").innerText();
    expect(powershell).not.toBe(copied);
    await analyst.getByRole("button", { name: "Copy PowerShell command" }).click();
    await expect.poll(() => analyst.evaluate("navigator.clipboard.readText()")).toBe(powershell);
    await inspectPage(analyst, SHOTS, "finding", WIDTHS, analystCsp);
  });

  it("offers a reader no suppress form, and refuses a suppression the reader's browser posts anyway", async () => {
    const reader = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    reader.setDefaultTimeout(10_000);
    const readerCsp = await watchCspViolations(reader);
    await reader.goto(findingUrl(readerServer, malformed));
    expect(await reader.locator("#finding-title").innerText()).toBe(malformed.title);
    expect(await reader.locator("#suppress-form").count()).toBe(0);
    expect(await reader.getByRole("button", { name: "Suppress" }).count()).toBe(0);

    // The analyst's form, with its token, rebuilt in the reader's page and posted from there, as a crafted page would.
    const csrf = await analyst.locator("#suppress-form input[name=csrf]").inputValue();
    await Promise.all([
      reader.waitForURL(/\/suppress$/),
      reader.evaluate(`(() => {
        const form = document.createElement("form");
        form.method = "post";
        form.action = ${JSON.stringify(new URL(findingUrl(readerServer, malformed)).pathname + "/suppress")};
        for (const [name, value] of ${JSON.stringify(Object.entries({ csrf, scope: "resource", reason: "I am only a reader", expiresAt: dayAfterTomorrow() }))}) {
          const input = document.createElement("input");
          input.type = "hidden"; input.name = name; input.value = value;
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      })()`),
    ]);
    expect(await reader.getByRole("heading", { level: 1 }).innerText()).toBe("Not allowed");
    expect(await reader.locator("#error-message").innerText()).toContain(APP_ROLES.writeSuppressions);
    await inspectPage(reader, SHOTS, "refused", WIDTHS, readerCsp);

    await reader.goto(findingUrl(readerServer, malformed));
    expect(await reader.locator("#suppression").count()).toBe(0);
    expect(await reader.locator("#history").innerText()).not.toContain("Suppressed");
    await reader.close();
  });

  it("lets the analyst suppress it with a reason and lift it, and shows both in its history", async () => {
    await analyst.setViewportSize({ width: 1440, height: 900 });
    const suppress = analyst.locator("#suppress-form");
    await suppress.getByLabel("Scope").selectOption("resource");
    await suppress.getByLabel("Reason").fill("Client id fixed in the next release; accepted until then");
    await suppress.getByRole("button", { name: "Suppress" }).click();
    await analyst.waitForURL(/done=suppressed/);
    expect(await analyst.locator("#notice").count()).toBe(1);
    const suppression = await analyst.locator("#suppression").innerText();
    expect(suppression).toContain(ANALYST.name);
    expect(suppression).toContain("Client id fixed in the next release");
    await inspectPage(analyst, SHOTS, "finding-suppressed", WIDTHS, analystCsp);

    const lift = analyst.locator("#lift-form");
    await lift.getByLabel("Reason for lifting").fill("Released early");
    await lift.getByRole("button", { name: "Lift suppression" }).click();
    await analyst.waitForURL(/done=lifted/);
    expect(await analyst.locator("#suppression").count()).toBe(0);
    const events = await analyst.locator("#history tbody tr td[data-label=Event]").allInnerTexts();
    expect(events.slice(0, 2)).toEqual(["Suppression lifted", "Suppressed"]);
    const history = await analyst.locator("#history").innerText();
    expect(history).toContain("Released early");
    expect(history).toContain(ANALYST.name);
  });

  it("lists the scans and shows one's status", async () => {
    await analyst.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Scans" }).click();
    expect(await analyst.locator("#scans-table tbody tr").count()).toBe(2);
    await inspectPage(analyst, SHOTS, "scans", WIDTHS, analystCsp);
    await analyst.locator("#scans-table tbody tr").first().getByRole("link").first().click();
    expect(await analyst.locator("#scan-state").innerText()).not.toBe("");
    expect(await analyst.locator("#scan-clusters").innerText()).toContain("payments-prod");
    await inspectPage(analyst, SHOTS, "scan", WIDTHS, analystCsp);
  });
});

/** A date the suppression form accepts: after today, well within SUPPRESSION_MAX_DAYS. */
function dayAfterTomorrow(): string {
  return new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
}
