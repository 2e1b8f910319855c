/**
 * The HTML digest. Email-safe on purpose: nested tables for layout, widths as
 * attributes, colours also as bgcolor (Outlook's Word engine ignores much CSS),
 * classes only until juice inlines them, no scripts, no images, no external
 * resources. Every value is written with {{ }} (escaped); never {{{ }}}.
 * The dark-mode block stays in <style> and overrides the inlined colours.
 * Every byte of inlined style repeats per element and Gmail clips past about
 * 102 kB of HTML (shared/digest/build.ts), so <code> keeps the mail client's
 * own monospace instead of an inlined font (about 70 bytes per evidence value).
 */

export const DIGEST_CSS = `
body,.page{margin:0;padding:0;background:#eef0f3;color:#1f2328;font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;line-height:1.45}
.card{background:#ffffff;color:#1f2328;overflow-wrap:anywhere;word-wrap:break-word}
.pad{padding:16px 24px}
h1{font-size:22px;margin:0 0 4px 0;color:#1f2328}
h2{font-size:17px;margin:20px 0 8px 0;padding-bottom:4px;border-bottom:2px solid #d0d7de;color:#1f2328}
h3{font-size:15px;margin:14px 0 6px 0;color:#1f2328}
p{margin:4px 0}
a{color:#0b57d0}
.muted{color:#57606a;font-size:12px}
.kpi{padding:10px 8px;text-align:center;border:1px solid #d0d7de}
.kpi-n{font-size:24px;font-weight:bold}
.kpi-l{font-size:12px;color:#57606a}
.grid{border-collapse:collapse;width:100%}
.grid th{text-align:left;font-size:12px;color:#57606a;border-bottom:1px solid #d0d7de;padding:4px 6px}
.grid td{border-bottom:1px solid #eaeef2;padding:4px 6px;vertical-align:top;font-size:13px}
.num{text-align:right;white-space:nowrap}
.badge{color:#ffffff;font-size:11px;font-weight:bold;padding:1px 6px;border-radius:3px;white-space:nowrap}
.new{color:#ffffff;background:#6f42c1;font-size:11px;font-weight:bold;padding:1px 6px;border-radius:3px}
.finding{border:1px solid #d0d7de;border-collapse:separate;margin:0 0 10px 0}
.ftitle{font-weight:bold}
.fbody{padding:8px 10px}
.ev{margin:4px 0;font-size:12px;word-break:break-all}
.ek{color:#57606a}
pre{font-family:Consolas,Menlo,Courier New,monospace;font-size:12px}
pre{background:#f6f8fa;color:#1f2328;border:1px solid #d0d7de;padding:6px 8px;margin:6px 0;white-space:pre-wrap;overflow-wrap:anywhere}
.grid td.bar{font-size:1px;line-height:10px;height:10px;border:0;padding:0}
.foot{font-size:12px;color:#57606a}
`;

/** Kept as a <style data-embed> block: juice leaves it in place, so the dark overrides survive inlining. */
export const DARK_MODE_CSS = `
@media (prefers-color-scheme: dark){
 body,.page{background:#0d1117 !important;color:#e6edf3 !important}
 .card{background:#161b22 !important;color:#e6edf3 !important}
 h1,h2,h3,.ftitle{color:#e6edf3 !important}
 .muted,.kpi-l,.grid th,.foot,.ek{color:#9da7b3 !important}
 a{color:#79b8ff !important}
 pre{background:#0d1117 !important;color:#e6edf3 !important;border-color:#30363d !important}
 .finding,.kpi{border-color:#30363d !important}
}
[data-ogsc] .card{background:#161b22 !important;color:#e6edf3 !important}
[data-ogsc] pre{background:#0d1117 !important;color:#e6edf3 !important}
`;

export const FINDING_PARTIAL = `<table role="presentation" class="finding" width="100%" cellpadding="0" cellspacing="0"><tr>
<td width="4" bgcolor="{{severityColor}}" style="background:{{severityColor}}">&nbsp;</td>
<td class="fbody">
<span class="badge" style="background:{{severityColor}}">{{severityLabel}}</span>{{#if isNew}} <span class="new">NEW</span>{{/if}} <span class="ftitle">{{title}}</span>
<p class="muted">{{location}}{{#if identity}} · identity {{identity}}{{/if}}</p>
<p class="muted">{{checkId}}{{#if controls}} · {{controls}}{{/if}} · open since {{openedAt}}</p>
{{#if evidence.length}}<p class="ev">{{#each evidence}}<span class="ek">{{key}}</span> <code>{{value}}</code><br>{{/each}}</p>{{/if}}
<p>{{remediationText}}</p>
{{#if remediationCommand}}<pre># {{remediationShell}}
{{remediationCommand}}</pre>{{/if}}
{{#if detailsUrl}}<a href="{{detailsUrl}}">Details</a>{{/if}}{{#if docsUrl}}{{#if detailsUrl}} · {{/if}}<a href="{{docsUrl}}">Docs</a>{{/if}}
</td></tr></table>
`;

const COMPLIANCE_ROWS = `{{#each this}}<tr><td>{{name}}{{#if subscription}}<br><span class="muted">{{subscription}}</span>{{/if}}</td>
<td class="num" style="color:{{score.color}}"><b>{{score.text}}</b>{{#if score.known}}<br><span class="muted">{{score.compliant}}/{{score.workloads}}</span>{{/if}}</td>
<td class="num">{{open}}</td><td class="num">{{high}}</td><td>{{controls}}</td><td class="muted">{{status}}</td></tr>
{{/each}}`;

export const HTML_TEMPLATE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>{{subject}}</title>
<style>${DIGEST_CSS}</style>
<style data-embed>${DARK_MODE_CSS}</style>
</head>
<body class="page">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">{{preheader}}</div>
<table role="presentation" class="page" width="100%" cellpadding="0" cellspacing="0" bgcolor="#eef0f3"><tr><td align="center" style="padding:16px 8px">
<table role="presentation" class="card" width="720" cellpadding="0" cellspacing="0" bgcolor="#ffffff" style="width:100%;max-width:720px"><tr><td class="pad">

<h1>wiscan weekly digest</h1>
<p class="muted">Workload identity across {{audienceLabel}}. Scan {{#if scan.url}}<a href="{{scan.url}}">{{scan.id}}</a>{{else}}{{scan.id}}{{/if}}, {{scan.startedAt}}{{#if previousScan}}, compared with {{previousScan.startedAt}}{{else}}, the first scan{{/if}}.</p>

<table role="presentation" width="100%" cellpadding="0" cellspacing="6" style="margin-top:10px"><tr>
<td class="kpi" width="20%"><div class="kpi-n" style="color:#b3261e">{{totals.newHigh}}</div><div class="kpi-l">new high</div></td>
<td class="kpi" width="20%"><div class="kpi-n">{{totals.new}}</div><div class="kpi-l">new</div></td>
<td class="kpi" width="20%"><div class="kpi-n">{{totals.open}}</div><div class="kpi-l">open</div></td>
<td class="kpi" width="20%"><div class="kpi-n" style="color:#1e7e34">{{totals.resolved}}</div><div class="kpi-l">resolved</div></td>
<td class="kpi" width="20%"><div class="kpi-n" style="color:{{score.color}}">{{score.text}}</div><div class="kpi-l">compliant</div></td>
</tr></table>

<p>Open by severity:{{#each bySeverity}} <span class="badge" style="background:{{color}}">{{label}} {{count}}</span>{{/each}}. {{plural totals.suppressed "suppressed finding"}}. {{scan.clustersScanned}} of {{plural scan.clustersTotal "cluster"}} scanned in {{plural totals.subscriptions "subscription"}}{{#unless scan.complete}} (incomplete scan: nothing was resolved where clusters could not be read){{/unless}}.</p>
<p class="muted">Compliance: the share of workloads using workload identity with no open high finding ({{score.compliant}} of {{score.workloads}}).</p>

<h2>Trend</h2>
<table role="presentation" class="grid" cellpadding="0" cellspacing="0">
<tr><th>Scan</th><th colspan="2">Open findings</th><th colspan="2">Compliance</th></tr>
{{#each trend}}<tr>
<td>{{#if current}}<b>{{label}}</b>{{else}}{{label}}{{/if}}</td>
<td width="35%">{{#if openBar}}<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td class="bar" width="{{openBar}}%" bgcolor="#b3261e" style="background:#b3261e">&nbsp;</td><td class="bar">&nbsp;</td></tr></table>{{/if}}</td>
<td class="num">{{open}}</td>
<td width="25%">{{#if scoreBar}}<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td class="bar" width="{{scoreBar}}%" bgcolor="#1e7e34" style="background:#1e7e34">&nbsp;</td><td class="bar">&nbsp;</td></tr></table>{{/if}}</td>
<td class="num">{{score}}</td>
</tr>{{/each}}
</table>

<h2>Compliance by subscription</h2>
<table role="presentation" class="grid" cellpadding="0" cellspacing="0">
<tr><th>Subscription</th><th class="num">Score</th><th class="num">Open</th><th class="num">High</th><th>Controls at stake</th><th>Clusters</th></tr>
{{#with subscriptions}}${COMPLIANCE_ROWS}{{/with}}
</table>
{{#if subscriptionsMore}}<p class="muted">and {{plural subscriptionsMore "more subscription"}}.</p>{{/if}}

<h3>Clusters, least compliant first</h3>
<table role="presentation" class="grid" cellpadding="0" cellspacing="0">
<tr><th>Cluster</th><th class="num">Score</th><th class="num">Open</th><th class="num">High</th><th>Controls at stake</th><th>Status</th></tr>
{{#with clusters}}${COMPLIANCE_ROWS}{{/with}}
</table>
{{#if clustersMore}}<p class="muted">and {{plural clustersMore "more cluster"}}.</p>{{/if}}

{{#if controls.length}}
<h3>Compliance controls evidenced by open findings</h3>
<table role="presentation" class="grid" cellpadding="0" cellspacing="0">
<tr><th>Control</th><th class="num">Open</th><th class="num">High</th><th>Checks</th></tr>
{{#each controls}}<tr><td>{{control}}</td><td class="num">{{open}}</td><td class="num">{{high}}</td><td class="muted">{{checks}}</td></tr>{{/each}}
</table>
{{/if}}

<h2>New since the previous scan ({{totals.new}})</h2>
{{#each newFindings}}{{> finding}}{{else}}<p>Nothing new.</p>{{/each}}
{{#if newMore}}<p><b>{{plural newMore.count "more new finding"}}</b> not shown{{#if newMore.url}}: <a href="{{newMore.url}}">list them in the findings API</a>{{/if}}.</p>{{/if}}

<h2>Still open</h2>
{{#each openGroups}}<h3>{{subscription}}</h3>
{{#each clusters}}<p class="muted"><b>{{cluster}}</b></p>
{{#each findings}}{{> finding}}{{/each}}{{/each}}
{{else}}{{#unless openMore}}<p>No other open findings.</p>{{/unless}}{{/each}}
{{#if openMore}}<p><b>{{plural openMore.count "more open finding"}}</b> not shown{{#if openMore.url}}: <a href="{{openMore.url}}">list them in the findings API</a>{{/if}}.</p>{{/if}}

<h2>Resolved since the previous scan ({{totals.resolved}})</h2>
{{#if resolved.length}}<table role="presentation" class="grid" cellpadding="0" cellspacing="0">
{{#each resolved}}<tr><td width="60"><span class="badge" style="background:{{severityColor}}">{{severityLabel}}</span></td><td>{{title}}<br><span class="muted">{{location}}</span></td></tr>{{/each}}
</table>{{else}}<p>Nothing resolved.</p>{{/if}}
{{#if resolvedMore}}<p>{{plural resolvedMore.count "more resolved finding"}}{{#if resolvedMore.url}}: <a href="{{resolvedMore.url}}">list them</a>{{/if}}.</p>{{/if}}

<h2>Suppressions expiring within 7 days</h2>
<p class="muted">{{plural totals.suppressed "finding"}} suppressed now. When a suppression expires, what it hides is open again.</p>
{{#if expiringSuppressions.length}}<table role="presentation" class="grid" cellpadding="0" cellspacing="0">
<tr><th>Suppression</th><th>Who and why</th><th>Expires</th></tr>
{{#each expiringSuppressions}}<tr><td><code>{{checkId}}</code><br><span class="muted">{{scope}}</span><br>hides {{hides}}</td><td>{{createdBy}}<br><span class="muted">{{reason}}</span></td><td class="num">{{expiresAt}}</td></tr>{{/each}}
</table>{{else}}<p>None.</p>{{/if}}
{{#if expiringSuppressionsMore}}<p class="muted">and {{plural expiringSuppressionsMore "more suppression"}}.</p>{{/if}}

<h2>Identities most at risk</h2>
{{#if identities.length}}<table role="presentation" class="grid" cellpadding="0" cellspacing="0">
<tr><th>Identity</th><th>Why</th><th class="num">High</th></tr>
{{#each identities}}<tr><td>{{#if detailsUrl}}<a href="{{detailsUrl}}">{{identity}}</a>{{else}}{{identity}}{{/if}}<br><span class="muted">{{subscription}}</span></td><td>{{reasons}}</td><td class="num">{{high}}</td></tr>{{/each}}
</table>{{else}}<p>No over-privileged identities or dangling credentials.</p>{{/if}}

<h2>Scan health</h2>
<p>The scan took {{scan.duration}}; {{scan.clustersScanned}} of {{plural scan.clustersTotal "cluster"}} were read.{{#if slowest.length}} Slowest:{{#each slowest}} {{cluster}} ({{duration}}){{#unless @last}},{{/unless}}{{/each}}.{{/if}}</p>
{{#if unscanned.length}}<table role="presentation" class="grid" cellpadding="0" cellspacing="0">
<tr><th width="24%">Cluster not scanned</th><th width="30%">Why</th><th>What to do</th></tr>
{{#each unscanned}}<tr><td>{{cluster}}<br><span class="muted">{{subscription}}</span></td><td><b>{{status}}</b><br>{{reason}}</td><td>{{fixText}}{{#if fixCommand}}<pre># {{fixShell}}
{{fixCommand}}</pre>{{/if}}</td></tr>{{/each}}
</table>{{else}}<p>Every cluster was scanned.</p>{{/if}}
{{#if unscannedMore}}<p class="muted">and {{plural unscannedMore "more cluster"}} not scanned.</p>{{/if}}
{{#if notChecked.length}}<h2>Not checked this week</h2>
<p>The scan evaluated {{coverage}} of what it could; findings where it did not look keep their state (nothing there was resolved).</p>
<table role="presentation" class="grid" cellpadding="0" cellspacing="0">
<tr><th width="24%">Where</th><th width="30%">Why</th><th>Checks</th></tr>
{{#each notChecked}}<tr><td>{{where}}</td><td>{{#if actionable}}<b>{{reason}}</b>{{else}}{{reason}}{{/if}}<br>{{detail}}</td><td>{{checks}}</td></tr>{{/each}}
</table>{{#if notCheckedMore}}<p class="muted">and {{notCheckedMore}} more (see the scan's coverage).</p>{{/if}}{{/if}}
{{#if refusedRoutes.length}}<h2>Digest routing refused</h2>
<p>These entries of the subscriptions' routing tag received no digest; fix the tag or the allowed domains.</p>
<table role="presentation" class="grid" cellpadding="0" cellspacing="0">
<tr><th width="30%">Subscription</th><th width="24%">Tag value domain</th><th>Why</th></tr>
{{#each refusedRoutes}}<tr><td>{{subscription}}</td><td>{{domain}}</td><td>{{reason}}</td></tr>{{/each}}
</table>{{#if refusedRoutesMore}}<p class="muted">and {{refusedRoutesMore}} more.</p>{{/if}}{{/if}}

<p class="foot" style="margin-top:24px">{{#if links}}Findings API: <a href="{{links.openFindings}}">open findings</a> · <a href="{{links.highFindings}}">high</a> · <a href="{{links.scans}}">scans</a> (sign in with Entra ID; needs the Findings.Read role). {{/if}}Sent by wiscan. Suppress a finding through the API's /suppressions route to keep it out of this digest.</p>

</td></tr></table>
</td></tr></table>
</body>
</html>
`;
