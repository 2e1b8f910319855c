/**
 * The plain-text alternative: the same facts as the HTML part, for clients
 * that do not show HTML and for people who prefer it. Rendered without HTML
 * escaping (it is text/plain); values were cleaned of control characters and
 * line breaks when the view model was built, so none can forge a line.
 */
export const TEXT_TEMPLATE = `{{subject}}

Workload identity across {{audienceLabel}}.
Scan {{scan.id}}, {{scan.startedAt}}{{#if previousScan}}, compared with {{previousScan.startedAt}}{{else}}, the first scan{{/if}}.
{{#if scan.url}}{{scan.url}}
{{/if}}

SUMMARY
  New high: {{totals.newHigh}}   New: {{totals.new}}   Open: {{totals.open}}   Resolved: {{totals.resolved}}   Suppressed: {{totals.suppressed}}
  Open by severity:{{#each bySeverity}} {{label}} {{count}}{{#unless @last}},{{/unless}}{{/each}}
  Compliance: {{score.text}} ({{score.compliant}} of {{score.workloads}} workloads using workload identity have no open high finding)
  Clusters: {{scan.clustersScanned}} of {{scan.clustersTotal}} scanned in {{plural totals.subscriptions "subscription"}}{{#unless scan.complete}} (incomplete scan){{/unless}}

TREND (open findings, compliance)
{{#each trend}}  {{label}}  {{open}}  {{score}}{{#if current}}  <- this scan{{/if}}
{{/each}}

COMPLIANCE BY SUBSCRIPTION
{{#each subscriptions}}  {{score.text}}  {{name}}: {{open}} open, {{high}} high{{#if controls}}; controls: {{controls}}{{/if}} ({{status}})
{{/each}}{{#if subscriptionsMore}}  and {{plural subscriptionsMore "more subscription"}}
{{/if}}

CLUSTERS, LEAST COMPLIANT FIRST
{{#each clusters}}  {{score.text}}  {{name}} ({{subscription}}): {{open}} open, {{high}} high{{#if controls}}; controls: {{controls}}{{/if}} [{{status}}]
{{/each}}{{#if clustersMore}}  and {{plural clustersMore "more cluster"}}
{{/if}}{{#if controls.length}}

CONTROLS EVIDENCED BY OPEN FINDINGS
{{#each controls}}  {{control}}: {{open}} open, {{high}} high ({{checks}})
{{/each}}{{/if}}

NEW SINCE THE PREVIOUS SCAN ({{totals.new}})
{{#each newFindings}}{{> finding}}{{else}}  Nothing new.
{{/each}}{{#if newMore}}  {{plural newMore.count "more new finding"}} not shown{{#if newMore.url}}: {{newMore.url}}{{/if}}
{{/if}}

STILL OPEN
{{#each openGroups}}{{#each clusters}}
  [{{../subscription}} / {{cluster}}]
{{#each findings}}{{> finding}}{{/each}}{{/each}}{{/each}}{{#if openMore}}  {{plural openMore.count "more open finding"}} not shown{{#if openMore.url}}: {{openMore.url}}{{/if}}
{{/if}}

RESOLVED SINCE THE PREVIOUS SCAN ({{totals.resolved}})
{{#each resolved}}  - [{{severityLabel}}] {{title}} ({{location}})
{{else}}  Nothing resolved.
{{/each}}{{#if resolvedMore}}  {{plural resolvedMore.count "more resolved finding"}}{{#if resolvedMore.url}}: {{resolvedMore.url}}{{/if}}
{{/if}}

SUPPRESSIONS EXPIRING WITHIN 7 DAYS ({{totals.suppressed}} findings suppressed now)
{{#each expiringSuppressions}}  - {{checkId}} on {{scope}}: expires {{expiresAt}}
    suppressed by {{createdBy}}: {{reason}}
    hides {{hides}}
{{else}}  None.
{{/each}}{{#if expiringSuppressionsMore}}  and {{plural expiringSuppressionsMore "more suppression"}}.
{{/if}}

IDENTITIES MOST AT RISK
{{#each identities}}  - {{identity}} ({{subscription}}): {{reasons}}{{#if detailsUrl}} {{detailsUrl}}{{/if}}
{{else}}  No over-privileged identities or dangling credentials.
{{/each}}

SCAN HEALTH
  The scan took {{scan.duration}}.{{#if slowest.length}} Slowest:{{#each slowest}} {{cluster}} ({{duration}}){{#unless @last}},{{/unless}}{{/each}}.{{/if}}
{{#each unscanned}}  - {{cluster}} ({{subscription}}): {{status}}. {{reason}}
{{#if fixText}}    {{fixText}}
{{/if}}{{#if fixCommand}}    ({{fixShell}})
{{indent fixCommand}}
{{/if}}{{else}}  Every cluster was scanned.
{{/each}}{{#if unscannedMore}}  and {{plural unscannedMore "more cluster"}} not scanned.
{{/if}}{{#if notChecked.length}}
NOT CHECKED THIS WEEK (the scan evaluated {{coverage}}; findings here keep their state)
{{#each notChecked}}  - {{where}}: {{reason}}. {{detail}}{{#if checks}} ({{checks}}){{/if}}
{{/each}}{{#if notCheckedMore}}  and {{notCheckedMore}} more.
{{/if}}{{/if}}{{#if refusedRoutes.length}}
DIGEST ROUTING REFUSED (routing-tag entries that received no digest)
{{#each refusedRoutes}}  - {{subscription}}: {{domain}}: {{reason}}
{{/each}}{{#if refusedRoutesMore}}  and {{refusedRoutesMore}} more.
{{/if}}{{/if}}{{#if links}}
Findings API (sign in with Entra ID; needs the Findings.Read role):
  open findings: {{links.openFindings}}
  high: {{links.highFindings}}
  scans: {{links.scans}}
{{/if}}
-- 
Sent by wiscan.
`;

export const TEXT_FINDING_PARTIAL = `  * [{{severityLabel}}]{{#if isNew}} [NEW]{{/if}} {{title}}
    where: {{location}}{{#if identity}}; identity {{identity}}{{/if}}
    check: {{checkId}}{{#if controls}}; controls: {{controls}}{{/if}}; open since {{openedAt}}
{{#each evidence}}    {{key}}: {{value}}
{{/each}}    fix: {{remediationText}}
{{#if remediationCommand}}    command ({{remediationShell}}):
{{indent remediationCommand}}
{{/if}}{{#if detailsUrl}}    details: {{detailsUrl}}
{{/if}}
`;
