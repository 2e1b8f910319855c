/**
 * The CLI's simple HTML report (`wiscan scan --html FILE`): one self-contained
 * page, no scripts, no external resources. Every value goes through Handlebars'
 * escaping ({{ }} only, never {{{ }}}), because names, annotations and evidence
 * come from clusters and may carry markup.
 */
import Handlebars from "handlebars";
import { SEVERITIES, type Finding } from "../findings/model.js";
import type { ScanRun } from "../scan/model.js";
import { findingLocation, sortFindings } from "./finding-order.js";

const TEMPLATE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>wiscan report {{scan.id}}</title>
<style>
body{font-family:Segoe UI,Helvetica,Arial,sans-serif;margin:24px;color:#1b1b1b;background:#fff}
table{border-collapse:collapse;width:100%;margin:12px 0}th,td{border:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top;font-size:14px}
th{background:#f3f3f3}code,pre{font-family:Consolas,Menlo,monospace;font-size:12px;white-space:pre-wrap;word-break:break-all}
.sev{font-weight:600;text-transform:uppercase}.high{color:#b00020}.medium{color:#b35c00}.low{color:#1f5fa8}.info{color:#555}
</style></head><body>
<h1>wiscan: workload identity scan</h1>
<p>Scan <code>{{scan.id}}</code> started {{scan.startedAt}}, {{scan.counts.clustersScanned}} of {{scan.counts.clusters}} clusters scanned in {{seconds scan.durationMs}} s.</p>
<table><tr>{{#each severityCounts}}<th class="sev {{severity}}">{{severity}}</th>{{/each}}</tr>
<tr>{{#each severityCounts}}<td>{{count}}</td>{{/each}}</tr></table>
<h2>Findings</h2>
{{#if findings.length}}
<table><tr><th>Severity</th><th>Check</th><th>Where</th><th>What</th><th>Fix</th></tr>
{{#each findings}}<tr><td class="sev {{severity}}">{{severity}}</td><td><a href="{{docsUrl}}">{{checkId}}</a></td><td>{{location}}</td>
<td>{{title}}{{#if evidence.length}}<ul>{{#each evidence}}<li>{{key}}: <code>{{value}}</code></li>{{/each}}</ul>{{/if}}</td>
<td>{{remediation.text}}{{#if remediation.command}}<pre>{{remediation.command}}</pre>{{/if}}</td></tr>
{{/each}}</table>
{{else}}<p>No findings.</p>{{/if}}
<h2>Scan health</h2>
<table><tr><th>Cluster</th><th>Subscription</th><th>Status</th><th>Reason</th><th>Requests</th><th>Duration</th></tr>
{{#each scan.clusters}}<tr><td>{{cluster}}</td><td>{{subscriptionId}}</td><td>{{status}}</td><td>{{reason}}</td><td>{{requests}}</td><td>{{durationMs}} ms</td></tr>
{{/each}}</table>
</body></html>
`;

let render: HandlebarsTemplateDelegate | undefined;

function template(): HandlebarsTemplateDelegate {
  if (render) return render;
  const hbs = Handlebars.create();
  hbs.registerHelper("seconds", (ms: number) => (ms / 1000).toFixed(1));
  render = hbs.compile(TEMPLATE, { noEscape: false });
  return render;
}

export function renderHtmlReport(scan: ScanRun, findings: readonly Finding[]): string {
  const view = {
    scan,
    severityCounts: SEVERITIES.map((severity) => ({ severity, count: scan.counts.bySeverity[severity] })),
    findings: sortFindings(findings).map((f) => ({
      ...f,
      location: findingLocation(f),
      evidence: Object.entries(f.evidence).map(([key, value]) => ({ key, value: String(value) })),
      remediation: { text: f.remediation.text, command: f.remediation.command ?? "" },
    })),
  };
  return template()(view);
}
