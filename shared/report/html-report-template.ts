/**
 * The HTML report's page: one self-contained file, no script, no image, no
 * external resource, opened from disk or a CI artifact. Unlike the digest it
 * is read in a browser, not a mail client, so it uses plain modern CSS (grid,
 * media queries) and no layout tables. Narrow screens (down to 320 px) stack
 * each table row into a card whose cells carry their column name, so nothing
 * scrolls sideways. Every value is written with {{ }} (escaped); never {{{ }}}.
 */

export const REPORT_CSS = `
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#f6f8fa;--card:#ffffff;--line:#d1d9e0;--code:#eff2f5;--link:#0550ae;
--high:#b3261e;--medium:#9a4a00;--low:#1f5fa8;--info:#59636e;--ok:#1a7f37}
@media (prefers-color-scheme: dark){:root{--fg:#e6edf3;--muted:#9ea7b3;--bg:#0d1117;--card:#161b22;--line:#3d444d;--code:#0d1117;--link:#79b8ff;
--high:#ff8080;--medium:#f0a040;--low:#79b8ff;--info:#9ea7b3;--ok:#56d364}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,"Segoe UI",Helvetica,Arial,sans-serif;overflow-wrap:break-word}
td,th,dd,pre{overflow-wrap:anywhere}
main{max-width:1120px;margin:0 auto;padding:16px}
h1{font-size:1.5rem;margin:0 0 4px}
h2{font-size:1.2rem;margin:32px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h3{font-size:1.05rem;margin:20px 0 6px}
h4{font-size:.95rem;margin:14px 0 6px;color:var(--muted)}
p{margin:6px 0}
a{color:var(--link)}
code,pre{font-family:ui-monospace,Consolas,Menlo,monospace;font-size:.85rem}
.muted{color:var(--muted);font-size:.875rem}
nav ul{list-style:none;margin:8px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(96px,1fr));gap:8px;margin:12px 0}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px;text-align:center}
.kpi b{display:block;font-size:1.6rem;line-height:1.2}
.sev-high{color:var(--high)}.sev-medium{color:var(--medium)}.sev-low{color:var(--low)}.sev-info{color:var(--info)}
.state-ok{color:var(--ok)}.state-bad{color:var(--high);font-weight:600}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line)}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line)}
th{font-size:.8rem;color:var(--muted);font-weight:600}
.num,.nowrap{white-space:nowrap}.num{text-align:right}
.finding{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--info);border-radius:6px;padding:10px 12px;margin:0 0 10px}
.finding.high{border-left-color:var(--high)}.finding.medium{border-left-color:var(--medium)}.finding.low{border-left-color:var(--low)}
.badge{display:inline-block;font-size:.75rem;font-weight:700;text-transform:uppercase;letter-spacing:.02em;margin-right:6px}
.title{font-weight:600}
.suppressed{border-style:dashed;opacity:.92}
dl{margin:6px 0;display:grid;grid-template-columns:minmax(0,max-content) minmax(0,1fr);gap:2px 10px;font-size:.85rem}
dt{color:var(--muted)}dd{margin:0}
.fix{margin:8px 0 4px}
.cmd{margin:6px 0}
.shell{display:inline-block;font-size:.75rem;font-weight:600;color:var(--muted);border:1px solid var(--line);border-bottom:0;border-radius:4px 4px 0 0;padding:0 6px}
pre{margin:0;background:var(--code);border:1px solid var(--line);border-radius:0 4px 4px 4px;padding:8px;white-space:pre-wrap}
footer{margin:32px 0 8px}
@media (max-width:640px){
 main{padding:10px}
 table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}
 table.stack{border:0;background:none}
 table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
 table.stack tr{background:var(--card);border:1px solid var(--line);border-radius:6px;margin:0 0 8px;padding:4px 0}
 table.stack td{border:0;padding:2px 10px;text-align:left;white-space:normal}
 table.stack td::before{content:attr(data-label);display:block;font-size:.75rem;color:var(--muted);font-weight:600}
 table.stack td.num,table.stack td.short{display:inline-block;width:auto;padding-right:14px}
 table.stack td.num::before,table.stack td.short::before{display:inline;margin-right:6px}
 dl{grid-template-columns:minmax(0,1fr);gap:0}
 dd{margin-bottom:4px}
}
`;

export const FINDING_PARTIAL = `<article class="finding {{severity}}{{#if suppression}} suppressed{{/if}}" aria-labelledby="f-{{id}}">
<p><span class="badge sev-{{severity}}">{{severityLabel}}</span>{{#if suppression}}<span class="badge">Suppressed</span>{{/if}}<span class="title" id="f-{{id}}">{{title}}</span></p>
<p class="muted">{{where}}{{#if identity}} · identity <code>{{identity}}</code>{{/if}}</p>
<p class="muted">{{#if docsUrl}}<a href="{{docsUrl}}">{{checkId}}</a>{{else}}{{checkId}}{{/if}}{{#if controls}} · {{controls}}{{/if}}</p>
{{#if suppression}}<p class="muted">Suppressed until {{suppression.expiresAt}} by {{suppression.createdBy}}: {{suppression.reason}}</p>{{/if}}
{{#if evidence.length}}<dl>{{#each evidence}}<dt>{{key}}</dt><dd><code>{{value}}</code></dd>{{/each}}</dl>{{/if}}
<p class="fix">{{remediationText}}</p>
{{#if command}}<div class="cmd"><span class="shell">{{shell}}</span><pre><code>{{command}}</code></pre></div>{{/if}}
{{#if powershellCommand}}<div class="cmd"><span class="shell">{{powershellShell}}</span><pre><code>{{powershellCommand}}</code></pre></div>{{/if}}
</article>
`;

export const REPORT_TEMPLATE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{csp}}">
<meta name="color-scheme" content="light dark">
<title>wiscan report {{view.scan.id}}</title>
<style>${REPORT_CSS}</style>
</head><body><main>
{{#with view}}
<header>
<h1>wiscan: workload identity scan</h1>
<p class="muted">Scan <code>{{scan.id}}</code>, started {{scan.startedAt}}, took {{scan.duration}}. {{scan.clustersScanned}} of {{scan.clustersTotal}} clusters scanned in {{subscriptionsLabel}}.{{#unless scan.complete}} <strong>Incomplete scan:</strong> see what was not checked.{{/unless}}</p>
<nav aria-label="Sections"><ul>
<li><a href="#summary">Summary</a></li><li><a href="#subscriptions">Subscriptions</a></li>{{#if controls.length}}<li><a href="#controls">Controls</a></li>{{/if}}
<li><a href="#findings">Findings</a></li>{{#if coverage}}<li><a href="#coverage">Not checked</a></li>{{/if}}<li><a href="#clusters">Clusters</a></li>
</ul></nav>
</header>

<section aria-labelledby="summary">
<h2 id="summary">Summary</h2>
<div class="kpis">
<div class="kpi"><b>{{open}}</b>open</div>
{{#each bySeverity}}<div class="kpi"><b class="sev-{{severity}}">{{count}}</b>{{label}}</div>{{/each}}
<div class="kpi"><b>{{suppressed}}</b>suppressed</div>
</div>
{{#if coverage}}<p>The scan evaluated {{coverage.percent}} of what it could ({{coverage.evaluated}} of {{coverage.total}} cluster and fleet checks){{#if coverage.actionableGaps}}; {{coverage.actionableGaps}} gaps need someone to act{{/if}}.</p>{{/if}}
</section>

<section aria-labelledby="subscriptions">
<h2 id="subscriptions">Subscriptions</h2>
<table class="stack"><thead><tr><th scope="col">Subscription</th><th scope="col" class="num">Clusters scanned</th><th scope="col" class="num">Open</th><th scope="col" class="num">High</th><th scope="col">Controls at stake</th></tr></thead><tbody>
{{#each subscriptions}}<tr><td data-label="Subscription">{{name}}{{#if id}}<br><span class="muted">{{id}}</span>{{/if}}</td><td data-label="Clusters scanned" class="num">{{clusters}}</td><td data-label="Open" class="num">{{open}}</td><td data-label="High" class="num">{{high}}</td><td data-label="Controls at stake">{{controls}}</td></tr>
{{/each}}</tbody></table>
</section>

{{#if controls.length}}
<section aria-labelledby="controls">
<h2 id="controls">Compliance controls evidenced by open findings</h2>
<table class="stack"><thead><tr><th scope="col">Control</th><th scope="col" class="num">Open</th><th scope="col" class="num">High</th><th scope="col">Checks</th></tr></thead><tbody>
{{#each controls}}<tr><td data-label="Control" class="nowrap">{{control}}</td><td data-label="Open" class="num">{{open}}</td><td data-label="High" class="num">{{high}}</td><td data-label="Checks">{{checks}}</td></tr>
{{/each}}</tbody></table>
</section>
{{/if}}

<section aria-labelledby="findings">
<h2 id="findings">Findings</h2>
{{#if groups.length}}
<p class="muted">Most severe first. Commands are for {{shell}} (a POSIX shell), each with a PowerShell 7.3+ form where one can be written safely (none for <code>az</code> arguments that cmd.exe would interpret on Windows).</p>
{{#each groups}}<h3>{{subscription}}{{#if subscriptionId}} <span class="muted">{{subscriptionId}}</span>{{/if}}</h3>
{{#each clusters}}<h4>{{cluster}} · {{open}} open</h4>
{{#each findings}}{{> finding}}{{/each}}{{/each}}{{/each}}
{{else}}<p>No findings.</p>{{/if}}
</section>

{{#if coverage}}
<section aria-labelledby="coverage">
<h2 id="coverage">Not checked</h2>
{{#if coverage.gaps.length}}<p>Where the scan did not look, findings keep the state they had (nothing there was resolved).</p>
<table class="stack"><thead><tr><th scope="col">Where</th><th scope="col">Why</th><th scope="col">Checks</th></tr></thead><tbody>
{{#each coverage.gaps}}<tr><td data-label="Where">{{where}}</td><td data-label="Why">{{#if actionable}}<strong>{{reason}}</strong>{{else}}{{reason}}{{/if}}{{#if detail}}<br><span class="muted">{{detail}}</span>{{/if}}</td><td data-label="Checks">{{checks}}</td></tr>
{{/each}}</tbody></table>
{{#if coverage.more}}<p class="muted">and {{coverage.more}} more (see the JSON report's coverage).</p>{{/if}}
{{else}}<p>Every check was evaluated everywhere it applies.</p>{{/if}}
{{#if coverage.notSelected}}<p class="muted">Left out by the check selection: {{coverage.notSelected}}.</p>{{/if}}
</section>
{{/if}}

<section aria-labelledby="clusters">
<h2 id="clusters">Clusters</h2>
<table class="stack"><thead><tr><th scope="col">Cluster</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Access</th><th scope="col" class="num">Findings</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Duration</th></tr></thead><tbody>
{{#each clusters}}<tr><td data-label="Cluster">{{cluster}}<br><span class="muted">{{subscription}}</span></td><td data-label="Status" class="short {{#if ok}}state-ok{{else}}state-bad{{/if}}">{{status}}</td><td data-label="Reason">{{reason}}</td><td data-label="Access" class="short">{{accessPath}}</td><td data-label="Findings" class="num">{{findings}}</td><td data-label="Requests" class="num">{{requests}}</td><td data-label="Duration" class="num">{{duration}}</td></tr>
{{/each}}</tbody></table>
</section>

<footer class="muted"><p>Written by wiscan. Values from clusters and Azure are shown as text, shortened where long.</p></footer>
{{/with}}
</main></body></html>
`;
