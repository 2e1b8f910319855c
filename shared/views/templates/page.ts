/**
 * The console's page partials. Every value is written with {{ }} (escaped),
 * never {{{ }}}; no inline script, no style attribute and no event handler
 * attribute anywhere, so the strict Content-Security-Policy holds
 * (docs/console.md, "Security"). Colours come from classes in the served
 * stylesheet, keyed by severity.
 */

/**
 * Set once; a page wraps itself in it with `{{#> layout}}…{{/layout}}` and
 * carries `page` (PageChrome): title, navigation, the caller, asset paths.
 */
export const LAYOUT_PARTIAL = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>{{page.title}} · wiscan</title>
<link rel="stylesheet" href="{{page.assets.css}}">
<script src="{{page.assets.js}}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header class="top">
<p class="brand"><a href="{{page.home}}">wiscan</a></p>
<nav aria-label="Main"><ul>{{#each page.nav}}<li><a href="{{href}}"{{#if current}} aria-current="page"{{/if}}>{{label}}</a></li>{{/each}}</ul></nav>
<p class="who" id="signed-in-as">Signed in as <b>{{page.caller}}</b>{{#if page.roles}} <span class="muted">({{page.roles}})</span>{{/if}}</p>
</header>
<main id="main" tabindex="-1">
{{> @partial-block}}
</main>
<footer class="foot"><p>wiscan {{page.version}}. Findings are kept as the scans left them; suppressions are governed and audited.</p></footer>
</body>
</html>
`;

/** One finding in full, on its own page (context: a FindingView plus the command's forms per shell, shared/report/remediation-output.ts). */
export const PAGE_FINDING_PARTIAL = `<article class="finding" aria-labelledby="finding-title">
<h1 id="finding-title">{{title}}</h1>
<p class="meta"><span class="badge sev-{{severity}}">{{severityLabel}}</span> <code>{{checkId}}</code>{{#if controls}} · {{controls}}{{/if}}</p>
<p class="meta">{{location}}{{#if identity}} · identity <code>{{identity}}</code>{{/if}}</p>
<h2>Evidence</h2>
{{#if evidence.length}}<dl class="evidence">{{#each evidence}}<dt>{{key}}</dt><dd><code>{{value}}</code></dd>{{/each}}</dl>{{else}}<p>No evidence recorded.</p>{{/if}}
<h2>How to fix it</h2>
<p>{{remediationText}}</p>
{{#if remediationCommand}}<div class="command">
<p class="shell" id="fix-shell">For {{shell}}:</p>
<pre id="fix-command" tabindex="0" aria-label="Fix command for {{shell}}" aria-describedby="fix-shell"><code>{{remediationCommand}}</code></pre>
<p><button type="button" id="copy-command" class="button" data-copy="fix-command" hidden>Copy command</button></p>
{{#if powershellCommand}}<p class="shell" id="fix-shell-powershell">For {{powershellShell}}:</p>
<pre id="fix-command-powershell" tabindex="0" aria-label="Fix command for {{powershellShell}}" aria-describedby="fix-shell-powershell"><code>{{powershellCommand}}</code></pre>
<p><button type="button" id="copy-command-powershell" class="button" data-copy="fix-command-powershell" hidden>Copy PowerShell command</button></p>
{{else}}<p class="muted" id="fix-powershell-withheld">No {{powershellShell}} form: {{powershellWithheld}}</p>{{/if}}
<p id="copy-status" role="status" class="muted"></p>
</div>{{/if}}
{{#if docsUrl}}<p><a id="docs-link" href="{{docsUrl}}" rel="noopener noreferrer">Documentation of {{checkId}}</a></p>{{/if}}
</article>
`;
