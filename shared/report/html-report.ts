/**
 * The CLI's HTML report (`wiscan scan --html FILE`): one self-contained page
 * that tells what the digest tells, for one scan. Every value goes through
 * Handlebars' escaping ({{ }} only, never {{{ }}}), because names, annotations
 * and evidence come from clusters and may carry markup; the page's Content
 * Security Policy allows its one style block (by hash) and nothing else, so
 * even a value that slipped through could neither run nor load anything.
 */
import { createHash } from "node:crypto";
import Handlebars from "handlebars";
import type { ScanRun } from "../scan/model.js";
import { buildHtmlReportView, type HtmlReportOptions, type HtmlReportView } from "./html-report-view.js";
import { FINDING_PARTIAL, REPORT_CSS, REPORT_TEMPLATE } from "./html-report-template.js";
import type { ReportedFinding } from "./model.js";

export type { HtmlReportOptions } from "./html-report-view.js";

/** The page's policy: no default source, its own style block by hash, no base, no forms. */
export const HTML_REPORT_CSP = `default-src 'none'; style-src 'sha256-${createHash("sha256").update(REPORT_CSS).digest("base64")}'; base-uri 'none'; form-action 'none'`;

let render: HandlebarsTemplateDelegate<{ csp: string; view: HtmlReportView }> | undefined;

function template(): NonNullable<typeof render> {
  if (render) return render;
  const hbs = Handlebars.create();
  hbs.registerPartial("finding", FINDING_PARTIAL);
  render = hbs.compile(REPORT_TEMPLATE);
  return render;
}

export function renderHtmlReport(scan: ScanRun, findings: readonly ReportedFinding[], options: HtmlReportOptions = {}): string {
  return template()({ csp: HTML_REPORT_CSP, view: buildHtmlReportView(scan, findings, options) });
}
