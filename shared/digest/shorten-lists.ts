/**
 * The digest's lists (subscriptions, clusters, resolved findings, clusters not
 * scanned, coverage gaps, expiring suppressions, refused routes) are bounded by
 * row counts (LIST_LIMITS). On a large fleet they alone can pass the HTML
 * bound; then each is cut to the same share of its rows, and what is cut is
 * added to its "and N more" count, so nothing disappears without being
 * counted. Pure: a view in, a shorter view out.
 */
import type { DigestView, MoreView } from "./model.js";

export function shortenLists(view: DigestView, share: number): DigestView {
  const kept = (rows: readonly unknown[]) => Math.ceil(rows.length * Math.min(1, Math.max(0, share)));
  const cut = (rows: readonly unknown[]) => rows.length - kept(rows);
  return {
    ...view,
    subscriptions: view.subscriptions.slice(0, kept(view.subscriptions)),
    subscriptionsMore: view.subscriptionsMore + cut(view.subscriptions),
    clusters: view.clusters.slice(0, kept(view.clusters)),
    clustersMore: view.clustersMore + cut(view.clusters),
    resolved: view.resolved.slice(0, kept(view.resolved)),
    resolvedMore: moreBy(view.resolvedMore, cut(view.resolved)),
    unscanned: view.unscanned.slice(0, kept(view.unscanned)),
    unscannedMore: view.unscannedMore + cut(view.unscanned),
    notChecked: view.notChecked.slice(0, kept(view.notChecked)),
    notCheckedMore: view.notCheckedMore + cut(view.notChecked),
    expiringSuppressions: view.expiringSuppressions.slice(0, kept(view.expiringSuppressions)),
    expiringSuppressionsMore: view.expiringSuppressionsMore + cut(view.expiringSuppressions),
    refusedRoutes: view.refusedRoutes.slice(0, kept(view.refusedRoutes)),
    refusedRoutesMore: view.refusedRoutesMore + cut(view.refusedRoutes),
  };
}

/** A resolved list that had no "more" link gets a count without one: the footer links the findings API. */
function moreBy(more: MoreView | undefined, extra: number): MoreView | undefined {
  if (extra === 0) return more;
  return { count: (more?.count ?? 0) + extra, url: more?.url ?? "" };
}
