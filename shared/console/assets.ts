/**
 * The console's stylesheet and script, served from the app (CSP: 'self'
 * only). The script is progressive enhancement: it reveals the copy button
 * and refreshes a running scan's status; every page works without it.
 */

export const CONSOLE_CSS = `
:root{--fg:#1f2328;--muted:#57606a;--bg:#f6f8fa;--card:#ffffff;--line:#d0d7de;--link:#0b57d0;--focus:#0b57d0;
--high:#b3261e;--medium:#a14f00;--low:#1f5fa8;--info:#4f555b;--ok:#1a7431}
*{box-sizing:border-box}
html{font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:var(--fg);background:var(--bg)}
body{margin:0}
a{color:var(--link)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,pre:focus-visible,main:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-10000px;top:0;background:var(--card);padding:8px}
.skip:focus{left:8px;z-index:10}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 24px;padding:10px 20px;background:var(--card);border-bottom:1px solid var(--line)}
.brand{margin:0;font-weight:bold;font-size:18px}
.brand a{text-decoration:none;color:var(--fg)}
.top nav ul{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;margin:0;padding:0}
.top nav a[aria-current=page]{font-weight:bold;text-decoration-thickness:3px}
.who{margin:0 0 0 auto;color:var(--muted);font-size:13px;overflow-wrap:anywhere}
main{display:block;max-width:1280px;margin:0 auto;padding:16px 20px 40px}
h1{font-size:24px;margin:8px 0 12px;overflow-wrap:anywhere}
h2{font-size:18px;margin:24px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
.muted{color:var(--muted)}
code,pre{font-family:Consolas,Menlo,Courier New,monospace;font-size:13px;overflow-wrap:anywhere;word-break:break-word}
pre{background:var(--card);border:1px solid var(--line);padding:8px 10px;white-space:pre-wrap;margin:6px 0;user-select:all}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:10px;margin:0;padding:0;list-style:none}
.cards li{background:var(--card);border:1px solid var(--line);padding:10px;text-align:center}
.cards .n{display:block;font-size:26px;font-weight:bold}
.badge{display:inline-block;color:#fff;font-size:12px;font-weight:bold;padding:1px 7px;border-radius:3px;white-space:nowrap}
.sev-high{background:var(--high)}.sev-medium{background:var(--medium)}.sev-low{background:var(--low)}.sev-info{background:var(--info)}
.cards li.sev-high{background:var(--high)}.cards li.sev-medium{background:var(--medium)}.cards li.sev-low{background:var(--low)}.cards li.sev-info{background:var(--info)}
.cards li[class^=sev-],.cards li[class^=sev-] a{color:#fff}
.cards a{display:block}
table{border-collapse:collapse;width:100%;background:var(--card)}
caption{text-align:left;font-weight:bold;padding:6px 0}
th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
th{font-size:13px;color:var(--muted);overflow-wrap:normal}
td.short{overflow-wrap:normal}
td.num,th.num{text-align:right;white-space:nowrap}
.score-good{color:var(--ok);font-weight:bold}.score-fair{color:var(--medium);font-weight:bold}.score-poor{color:var(--high);font-weight:bold}
.trend{max-width:720px;background:var(--card);border:1px solid var(--line)}
.trend svg{display:block;width:100%;height:auto}
form.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:8px 12px;background:var(--card);border:1px solid var(--line);padding:12px;margin:0 0 12px}
label{display:block;font-size:13px;font-weight:bold;margin-bottom:2px}
input,select,textarea{font:inherit;width:100%;padding:5px 6px;border:1px solid #8c959f;border-radius:3px;background:#fff;color:var(--fg)}
textarea{min-height:70px}
.field{margin:0 0 10px}
.actions{display:flex;flex-wrap:wrap;gap:8px;align-items:end}
.button,button{font:inherit;cursor:pointer;padding:6px 14px;border:1px solid var(--link);background:var(--link);color:#fff;border-radius:4px}
.button.secondary{background:var(--card);color:var(--link)}
.pager{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.exports{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0}
.panel{background:var(--card);border:1px solid var(--line);padding:12px 14px;margin:12px 0;max-width:720px}
.evidence{display:grid;grid-template-columns:minmax(120px,max-content) 1fr;gap:4px 12px;margin:0}
.evidence dt{color:var(--muted)}
.evidence dd{margin:0;overflow-wrap:anywhere}
.meta{margin:4px 0;overflow-wrap:anywhere}
.notice{border-left:4px solid var(--link);background:var(--card);padding:8px 12px}
.error{border-left:4px solid var(--high);background:var(--card);padding:8px 12px}
.foot{max-width:1280px;margin:0 auto;padding:0 20px 20px;color:var(--muted);font-size:13px}
@media (max-width:720px){
 html{font-size:14px}
 main{padding:12px}
 .who{margin:0}
 table.reflow thead{position:absolute;left:-10000px}
 table.reflow tr{display:block;border-bottom:2px solid var(--line);padding:4px 0}
 table.reflow td{display:block;border:0;padding:3px 6px;text-align:left}
 table.reflow td.num{text-align:left;white-space:normal}
 table.reflow td::before{content:attr(data-label);display:block;font-size:12px;font-weight:bold;color:var(--muted)}
 .evidence{grid-template-columns:1fr}
}
`;

export const CONSOLE_JS = `"use strict";
(function () {
  // The copy button: hidden without script, where the command stays selectable text.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById("copy-status");
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent || "").then(
        function () { if (status) status.textContent = "Command copied to the clipboard."; },
        function () { if (status) status.textContent = "Copying failed: select the command and copy it."; }
      );
    });
  });
  // A running scan's status page reloads itself; without script it has a Refresh link.
  var running = document.querySelector("[data-refresh-seconds]");
  if (running) {
    var seconds = Number(running.getAttribute("data-refresh-seconds")) || 10;
    setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
})();
`;

export const CONSOLE_ASSETS: Readonly<Record<string, { contentType: string; body: string }>> = {
  "console.css": { contentType: "text/css; charset=utf-8", body: CONSOLE_CSS },
  "console.js": { contentType: "text/javascript; charset=utf-8", body: CONSOLE_JS },
};
