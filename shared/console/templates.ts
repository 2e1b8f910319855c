/**
 * The console's pages. Each wraps itself in the layout partial (set once in
 * the renderer) and lays out only what its view holds; every value is
 * escaped ({{ }}), none is written raw. Ids and accessible names here are a
 * contract with the browser tests (docs/console.md, "What tests can rely on").
 */

const SCORE_CELL = `<td class="num" data-label="Score"><span class="score-{{score.grade}}">{{score.text}}</span>{{#if score.known}}<br><span class="muted">{{score.compliant}}/{{score.workloads}}</span>{{/if}}</td>`;

const COMPLIANCE_TABLE = (id: string, caption: string, first: string, second: string) => `<table id="${id}" class="reflow">
<caption>${caption}</caption>
<thead><tr><th scope="col">${first}</th><th scope="col" class="num">Score</th><th scope="col" class="num">Open</th><th scope="col" class="num">High</th><th scope="col">Controls at stake</th><th scope="col">${second}</th></tr></thead>
<tbody>{{#each this}}<tr><td data-label="${first}">{{#if href}}<a href="{{href}}">{{name}}</a>{{else}}{{name}}{{/if}}{{#if subscription}}<br><span class="muted">{{subscription}}</span>{{/if}}</td>
${SCORE_CELL}<td class="num" data-label="Open">{{open}}</td><td class="num" data-label="High">{{high}}</td><td data-label="Controls">{{controls}}</td><td data-label="${second}">{{status}}</td></tr>{{else}}<tr><td colspan="6">None.</td></tr>{{/each}}</tbody>
</table>`;

export const OVERVIEW_PAGE = `{{#> layout}}
<h1>Overview</h1>
{{#if scan}}
<p class="muted" id="last-scan">Last scan <a href="{{scan.href}}">{{scan.id}}</a>, {{scan.startedAt}}, took {{scan.duration}}: {{scan.clustersScanned}} of {{plural scan.clustersTotal "cluster"}} read{{#unless scan.complete}} (incomplete: nothing was resolved where it could not look){{/unless}}.{{#if asOf}} <span id="as-of">Figures as of {{asOf}}.</span>{{/if}}</p>
{{#if readEveryFinding}}<p class="notice" id="counts-missing">These figures were counted from every open and suppressed finding, which is slow with many findings: the findings were saved before the store kept counts, and the next scan to complete adds them.</p>{{/if}}
<section aria-labelledby="severity-heading">
<h2 id="severity-heading">Open findings by severity</h2>
<ul class="cards" id="severity-counts">
{{#each bySeverity}}<li class="sev-{{severity}}"><a href="{{href}}"><span class="n">{{count}}</span>{{label}}</a></li>{{/each}}
<li><span class="n">{{totals.open}}</span>open in all</li>
<li><span class="n">{{totals.suppressed}}</span>suppressed</li>
<li><span class="n score-{{score.grade}}">{{score.text}}</span>compliant workloads</li>
</ul>
<p class="muted">Compliance: the share of workloads using workload identity with no open high finding ({{score.compliant}} of {{score.workloads}}).</p>
</section>
<section aria-labelledby="trend-heading">
<h2 id="trend-heading">Trend over the last scans</h2>
<div class="trend">
<svg id="trend-chart" viewBox="0 0 {{trend.width}} {{trend.height}}" role="img" aria-labelledby="trend-title trend-desc" xmlns="http://www.w3.org/2000/svg">
<title id="trend-title">Open findings and compliance over the last {{plural trend.points.length "scan"}}</title>
<desc id="trend-desc">{{#each trend.points}}{{label}}: {{open}} open, {{score}} compliant. {{/each}}</desc>
<line x1="{{trend.left}}" y1="{{trend.baseline}}" x2="{{trend.right}}" y2="{{trend.baseline}}" stroke="#8c959f" stroke-width="1"/>
{{#each trend.points}}<rect x="{{barX}}" y="{{barY}}" width="{{barWidth}}" height="{{barHeight}}" fill="{{#if current}}#b3261e{{else}}#d77b74{{/if}}"/>
<text x="{{labelX}}" y="{{valueY}}" font-size="12" text-anchor="middle" fill="#1f2328">{{open}}</text>
<text x="{{labelX}}" y="{{labelY}}" font-size="11" text-anchor="middle" fill="#57606a">{{label}}</text>
{{/each}}{{#if trend.scoreLine}}<polyline points="{{trend.scoreLine}}" fill="none" stroke="#1a7431" stroke-width="2"/>{{/if}}
{{#each trend.points}}{{#if scoreY}}<circle cx="{{labelX}}" cy="{{scoreY}}" r="3" fill="#1a7431"/>{{/if}}{{/each}}
</svg>
</div>
<p class="muted">Bars: open findings per scan. Green line: compliance (top of the chart is 100 %).</p>
</section>
<section aria-labelledby="compliance-heading">
<h2 id="compliance-heading">Compliance by subscription and cluster</h2>
{{#with subscriptions}}${COMPLIANCE_TABLE("subscriptions-table", "Subscriptions, least compliant first", "Subscription", "Clusters")}{{/with}}
{{#if subscriptionsMore}}<p class="muted">and {{plural subscriptionsMore "more subscription"}}.</p>{{/if}}
{{#with clusters}}${COMPLIANCE_TABLE("clusters-table", "Clusters, least compliant first", "Cluster", "Status")}{{/with}}
{{#if clustersMore}}<p class="muted">and {{plural clustersMore "more cluster"}}.</p>{{/if}}
</section>
<section aria-labelledby="coverage-heading">
<h2 id="coverage-heading">Coverage of the last scan</h2>
{{#if coverage}}<p>The scan evaluated {{coverage}} of what it could; where it did not look, findings keep their state.</p>{{/if}}
{{#if notChecked.length}}<table id="coverage-table" class="reflow">
<caption>Not checked, and why</caption>
<thead><tr><th scope="col">Where</th><th scope="col">Why</th><th scope="col">Checks</th></tr></thead>
<tbody>{{#each notChecked}}<tr><td data-label="Where">{{where}}</td><td data-label="Why">{{#if actionable}}<b>{{reason}}</b>{{else}}{{reason}}{{/if}}<br>{{detail}}</td><td data-label="Checks">{{checks}}</td></tr>{{/each}}</tbody>
</table>{{#if notCheckedMore}}<p class="muted">and {{notCheckedMore}} more.</p>{{/if}}{{else}}<p id="coverage-complete">Everything in scope was checked.</p>{{/if}}
{{#if unscanned.length}}<table id="unscanned-table" class="reflow">
<caption>Clusters not scanned</caption>
<thead><tr><th scope="col">Cluster</th><th scope="col">Why</th><th scope="col">What to do</th></tr></thead>
<tbody>{{#each unscanned}}<tr><td data-label="Cluster">{{cluster}}<br><span class="muted">{{subscription}}</span></td><td data-label="Why"><b>{{status}}</b><br>{{reason}}</td><td data-label="What to do">{{fixText}}{{#if fixCommand}}<pre tabindex="0">{{fixCommand}}</pre>{{/if}}</td></tr>{{/each}}</tbody>
</table>{{/if}}
</section>
{{else}}
<p id="no-scan" class="notice">No scan is stored yet. Run a scan (locally: <code>npm run demo</code>) and reload this page.</p>
{{/if}}
{{/layout}}`;

export const FINDINGS_PAGE = `{{#> layout}}
<h1>Findings</h1>
<form id="filters" class="filters" method="get" action="{{action}}" role="search" aria-label="Filter findings">
{{#each selects}}<div><label for="f-{{name}}">{{label}}</label><select id="f-{{name}}" name="{{name}}">{{#each options}}<option value="{{value}}"{{#if selected}} selected{{/if}}>{{label}}</option>{{/each}}</select></div>
{{/each}}{{#each inputs}}<div><label for="f-{{name}}">{{label}}</label><input id="f-{{name}}" name="{{name}}" type="{{type}}" value="{{value}}"{{#if hint}} aria-describedby="f-{{name}}-hint"{{/if}}>{{#if hint}}<span id="f-{{name}}-hint" class="muted">{{hint}}</span>{{/if}}</div>
{{/each}}<div class="actions"><button type="submit" id="apply-filters">Apply filters</button> <a class="button secondary" href="{{action}}">Clear</a></div>
</form>
<p class="exports" id="exports">Export this filter (up to 1,000 findings a page): <a id="export-csv" href="{{exports.csv}}">Export CSV</a> <a id="export-sarif" href="{{exports.sarif}}">Export SARIF</a> <a id="export-ocsf" href="{{exports.ocsf}}">Export OCSF</a></p>
<p id="result-count" role="status">{{summary}}</p>
<table id="findings-table" class="reflow">
<caption>Findings{{#if sortLabel}}, sorted by {{sortLabel}} within the page{{/if}}</caption>
<thead><tr><th scope="col">Severity</th><th scope="col">Finding</th><th scope="col">Check</th><th scope="col">Where</th><th scope="col">Status</th><th scope="col">Last seen</th></tr></thead>
<tbody>{{#each rows}}<tr><td data-label="Severity" class="short"><span class="badge sev-{{severity}}">{{severityLabel}}</span></td>
<td data-label="Finding"><a href="{{href}}">{{title}}</a></td><td data-label="Check"><code>{{checkId}}</code></td>
<td data-label="Where">{{where}}<br><span class="muted">{{subscription}}</span></td><td data-label="Status" class="short">{{status}}</td><td data-label="Last seen">{{lastSeen}}</td></tr>
{{else}}<tr><td colspan="6" id="no-findings">No findings match these filters.</td></tr>{{/each}}</tbody>
</table>
<nav class="pager" aria-label="Pages">{{#if firstPage}}<a id="first-page" href="{{firstPage}}">First page</a>{{/if}}{{#if nextPage}}<a id="next-page" href="{{nextPage}}">Next page</a>{{/if}}</nav>
{{/layout}}`;

export const FINDING_PAGE = `{{#> layout}}
{{#if notice}}<p id="notice" class="notice" role="status">{{notice}}</p>{{/if}}
{{#with finding}}{{> finding}}{{/with}}
<section aria-labelledby="state-heading">
<h2 id="state-heading">State</h2>
<p id="finding-status"><b>{{statusLabel}}</b>. First seen {{firstSeen}}, last seen {{lastSeen}}{{#if resolvedAt}}, resolved {{resolvedAt}}{{/if}}.</p>
{{#if suppression}}<p id="suppression">Suppressed by <b>{{suppression.by}}</b> until {{suppression.until}}: {{suppression.reason}}</p>{{/if}}
</section>
{{#if liftForm}}<section aria-labelledby="lift-heading" class="panel">
<h2 id="lift-heading">Lift the suppression</h2>
<form id="lift-form" method="post" action="{{liftForm.action}}">
<input type="hidden" name="csrf" value="{{liftForm.csrf}}">
<input type="hidden" name="finding" value="{{liftForm.finding}}">
<div class="field"><label for="lift-reason">Reason for lifting</label><textarea id="lift-reason" name="reason" required maxlength="{{liftForm.maxReason}}"></textarea></div>
<button type="submit" id="lift-button">Lift suppression</button>
</form>
</section>{{/if}}
{{#if suppressForm}}<section aria-labelledby="suppress-heading" class="panel">
<h2 id="suppress-heading">Suppress</h2>
<p class="muted">Accept the risk for a while: say why and until when (at most {{suppressForm.maxDays}} days). It is audited, and shown in this finding's history and in the digest.</p>
<form id="suppress-form" method="post" action="{{suppressForm.action}}">
<input type="hidden" name="csrf" value="{{suppressForm.csrf}}">
<div class="field"><label for="suppress-scope">Scope</label><select id="suppress-scope" name="scope">{{#each suppressForm.scopes}}<option value="{{value}}">{{label}}</option>{{/each}}</select></div>
<div class="field"><label for="suppress-reason">Reason</label><textarea id="suppress-reason" name="reason" required maxlength="{{suppressForm.maxReason}}"></textarea></div>
<div class="field"><label for="suppress-expires">Expires on</label><input id="suppress-expires" name="expiresAt" type="date" required min="{{suppressForm.minDate}}" max="{{suppressForm.maxDate}}" value="{{suppressForm.defaultDate}}"></div>
<button type="submit" id="suppress-button">Suppress</button>
</form>
</section>{{/if}}
<section aria-labelledby="history-heading">
<h2 id="history-heading">History</h2>
<table id="history" class="reflow">
<caption>History, newest first{{#if historyMore}} ({{historyMore}} older entries not shown){{/if}}</caption>
<thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Status after</th><th scope="col">Details</th></tr></thead>
<tbody>{{#each history}}<tr><td data-label="When">{{at}}</td><td data-label="Event">{{event}}</td><td data-label="Status after">{{status}}</td><td data-label="Details">{{detail}}</td></tr>{{else}}<tr><td colspan="4">No history kept.</td></tr>{{/each}}</tbody>
</table>
</section>
{{/layout}}`;

export const SCANS_PAGE = `{{#> layout}}
<h1>Scans</h1>
{{#if startForm}}<section aria-labelledby="start-heading" class="panel">
<h2 id="start-heading">Start a scan</h2>
<form id="start-scan-form" method="post" action="{{startForm.action}}">
<input type="hidden" name="csrf" value="{{startForm.csrf}}">
<div class="field"><label for="scan-target">Subscription id or cluster</label><input id="scan-target" name="target" required maxlength="400" aria-describedby="scan-target-hint"><span id="scan-target-hint" class="muted">A subscription id (GUID), a cluster name, or a managed cluster's resource id, within the configured scope.</span></div>
<button type="submit" id="start-scan-button">Start scan</button>
</form>
</section>{{/if}}
<table id="scans-table" class="reflow">
<caption>Finished scans, newest first</caption>
<thead><tr><th scope="col">Scan</th><th scope="col">Started</th><th scope="col">Trigger</th><th scope="col" class="num">Clusters read</th><th scope="col" class="num">Findings</th><th scope="col">Complete</th></tr></thead>
<tbody>{{#each scans}}<tr><td data-label="Scan"><a href="{{href}}">{{id}}</a></td><td data-label="Started">{{startedAt}}</td><td data-label="Trigger">{{trigger}}</td><td class="num" data-label="Clusters read">{{clusters}}</td><td class="num" data-label="Findings">{{findings}}</td><td data-label="Complete">{{complete}}</td></tr>{{else}}<tr><td colspan="6">No scan is stored yet.</td></tr>{{/each}}</tbody>
</table>
{{#if nextPage}}<nav class="pager" aria-label="Pages"><a id="next-page" href="{{nextPage}}">Older scans</a></nav>{{/if}}
{{/layout}}`;

export const SCAN_PAGE = `{{#> layout}}
<h1>Scan {{id}}</h1>
<p id="scan-state"{{#if running}} data-refresh-seconds="10"{{/if}} role="status"><b>{{state}}</b>{{#if progress}}: {{progress}}{{/if}}</p>
{{#if running}}<p><a id="refresh" href="{{href}}">Refresh</a> (this page reloads itself every 10 seconds while the scan runs).</p>{{/if}}
{{#if summary}}<p>{{summary}}</p>{{/if}}
<table id="scan-clusters" class="reflow">
<caption>Clusters saved so far</caption>
<thead><tr><th scope="col">Cluster</th><th scope="col">Status</th><th scope="col" class="num">Findings</th><th scope="col">Took</th></tr></thead>
<tbody>{{#each clusters}}<tr><td data-label="Cluster">{{cluster}}<br><span class="muted">{{subscription}}</span></td><td data-label="Status">{{status}}{{#if reason}}<br><span class="muted">{{reason}}</span>{{/if}}</td><td class="num" data-label="Findings">{{findings}}</td><td data-label="Took">{{duration}}</td></tr>{{else}}<tr><td colspan="4">None yet.</td></tr>{{/each}}</tbody>
</table>
{{#if resendForm}}<section aria-labelledby="resend-heading" class="panel">
<h2 id="resend-heading">Resend the digest</h2>
<form id="resend-form" method="post" action="{{resendForm.action}}">
<input type="hidden" name="csrf" value="{{resendForm.csrf}}">
<div class="field"><input id="resend-all" name="all" type="checkbox" value="true"> <label for="resend-all">Send every digest of this scan again, delivered or not</label></div>
<button type="submit" id="resend-button">Resend digest</button>
</form>
</section>{{/if}}
{{/layout}}`;

export const RESULT_PAGE = `{{#> layout}}
<h1>{{heading}}</h1>
<p id="result" role="status" class="notice">{{message}}</p>
{{#if lines.length}}<ul id="result-lines">{{#each lines}}<li>{{this}}</li>{{/each}}</ul>{{/if}}
{{#if back}}<p><a href="{{back.href}}">{{back.label}}</a></p>{{/if}}
{{/layout}}`;

export const ERROR_PAGE = `{{#> layout}}
<h1>{{heading}}</h1>
<p id="error-message" class="error" role="alert">{{message}}</p>
{{#if problems.length}}<ul id="error-problems">{{#each problems}}<li>{{this}}</li>{{/each}}</ul>{{/if}}
{{#if signIn}}<p><a id="sign-in" href="{{signIn}}">Sign in with Entra ID</a></p>{{/if}}
<p><a href="{{home}}">Back to the overview</a></p>
{{/layout}}`;
