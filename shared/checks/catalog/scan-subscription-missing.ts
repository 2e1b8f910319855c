import { arg } from "../commands.js";
import { SCANNER_PLACEHOLDER } from "../placeholders.js";
import { defineCheck, evidence } from "../define.js";
import { DOCS } from "../links.js";
import { shellQuote as q } from "../shell-quote.js";

export const scanSubscriptionMissing = defineCheck({
  id: "scan.subscription-missing",
  // The inventory itself is the evidence: a subscription it names but Resource Graph did not return.
  reads: [],
  title: "A subscription in scope was not returned by Resource Graph",
  severityRule: "high",
  risk: "Nothing in this subscription was checked, and its stored findings are frozen as they were: a scanner whose Reader role was removed (or a subscription moved to another tenant or disabled) otherwise looks like a clean bill of health.",
  remediation: "Give the scanner Reader on the subscription again, or remove it from SCAN_SUBSCRIPTIONS if it left the estate on purpose.",
  docsUrl: DOCS.permissions,
  controls: [],
  evaluateFleet(view, _usage, report) {
    return (view.inventory.missingSubscriptions ?? []).map((subscriptionId) =>
      report({
        severity: "high",
        resource: { subscriptionId, kind: "Subscription", name: subscriptionId },
        evidence: evidence({ subscriptionId, tenantId: view.inventory.tenantId, subscriptionsReturned: view.inventory.subscriptions.length - (view.inventory.missingSubscriptions ?? []).length }),
        remediation: {
          text: "Resource Graph lists every subscription the scanner may read; this one is not among them. Check that it still exists in the tenant, then grant the scanner's identity Reader on it.",
          command: `az role assignment create --assignee-object-id ${arg(SCANNER_PLACEHOLDER)} --assignee-principal-type ServicePrincipal --role Reader --scope ${q(`/subscriptions/${subscriptionId}`)}`,
        },
      }),
    );
  },
});
