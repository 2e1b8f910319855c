/**
 * Which `authorizationresources` rows (role assignments, role definitions) a
 * Resource Graph query returns, by `options.authorizationScopeFilter`.
 *
 * Source: Azure/azure-rest-api-specs,
 * specification/resourcegraph/resource-manager/Microsoft.ResourceGraph/ResourceGraph/stable/2024-04-01/resourcegraph.json
 * (QueryRequestOptions.authorizationScopeFilter: "Defines what level of
 * authorization resources should be returned based on the which subscriptions
 * and management groups are passed as scopes", enum AtScopeAndBelow,
 * AtScopeAndAbove, AtScopeExact, AtScopeAboveAndBelow, **default
 * AtScopeAndBelow**; the TypeSpec source ResourceGraph/models.tsp adds it in
 * 2023-09-01-preview). So by default a query over subscriptions does not see
 * an assignment at a management group or at "/" that those subscriptions
 * inherit.
 *
 * The spec names the values without defining them further. Read here as the
 * names say: "at" the exact scope of the query (a subscription, a management
 * group, or "/" for a tenant query), "below" everything under it, "above" the
 * management groups in the subscription's `managementGroupAncestorsChain`
 * (Resource Graph's property on subscription rows; learn.microsoft.com
 * /azure/governance/management-groups/resource-graph-samples) and "/".
 */
import type { AzureFleet } from "../fleet/model.js";

export const AUTHORIZATION_SCOPE_FILTERS = ["AtScopeAndBelow", "AtScopeAndAbove", "AtScopeExact", "AtScopeAboveAndBelow"] as const;
export type AuthorizationScopeFilter = (typeof AUTHORIZATION_SCOPE_FILTERS)[number];

/** Where an authorization resource sits, from its scope (assignments) or id (definitions). */
export type AuthorizationLevel = { kind: "root" } | { kind: "managementGroup"; name: string } | { kind: "subscription"; subscriptionId: string; exact: boolean };

export function authorizationLevel(scopeOrId: string): AuthorizationLevel {
  // An id ends in /providers/Microsoft.Authorization/<type>/<name>: its scope is what precedes it.
  const scope = scopeOrId.replace(/\/providers\/microsoft\.authorization\/[^/]+\/[^/]+$/i, "").replace(/\/+$/, "");
  const sub = /^\/subscriptions\/([^/]+)(\/.*)?$/i.exec(scope);
  if (sub) return { kind: "subscription", subscriptionId: sub[1]!.toLowerCase(), exact: sub[2] === undefined };
  const mg = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)$/i.exec(scope);
  if (mg) return { kind: "managementGroup", name: mg[1]!.toLowerCase() };
  return { kind: "root" };
}

export interface QueryScopes {
  subscriptions: string[];
  managementGroups: string[];
}

/** A predicate on authorization levels for the query's scope and filter. */
export function authorizationFilter(fleet: AzureFleet, scopes: QueryScopes, filter: AuthorizationScopeFilter): (level: AuthorizationLevel) => boolean {
  const below = filter === "AtScopeAndBelow" || filter === "AtScopeAboveAndBelow";
  const above = filter === "AtScopeAndAbove" || filter === "AtScopeAboveAndBelow";
  const chains = new Map(fleet.subscriptions.map((s) => [s.subscriptionId.toLowerCase(), ancestorsOf(s, fleet.tenantId)]));
  // Management groups the fleet knows, each with its own ancestors (the tail of a subscription's chain after it).
  const mgAncestors = new Map<string, string[]>();
  for (const chain of chains.values()) chain?.forEach((name, i) => mgAncestors.set(name, chain.slice(i + 1)));
  // A subscription without a chain in the fleet sits under every management group, as the simulator
  // answers a management-group query over the other tables as if it named the tenant root.
  const under = (chain: readonly string[] | undefined, groups: ReadonlySet<string>) => chain === undefined || chain.some((g) => groups.has(g));

  if (scopes.subscriptions.length > 0) {
    const subs = [...new Set(scopes.subscriptions.map((s) => s.toLowerCase()))];
    return (level) => {
      if (level.kind === "subscription") return subs.includes(level.subscriptionId) && (level.exact || below);
      if (level.kind === "managementGroup") return above && subs.some((s) => under(chains.get(s), new Set([level.name])));
      return above;
    };
  }
  if (scopes.managementGroups.length > 0) {
    const groups = new Set(scopes.managementGroups.map((g) => g.toLowerCase()));
    const aboveGroups = new Set([...groups].flatMap((g) => mgAncestors.get(g) ?? []));
    return (level) => {
      if (level.kind === "managementGroup") {
        return groups.has(level.name) || (below && under(mgAncestors.get(level.name), groups)) || (above && aboveGroups.has(level.name));
      }
      if (level.kind === "subscription") return below && under(chains.get(level.subscriptionId), groups);
      // "/" is above every management group.
      return above;
    };
  }
  // A tenant query: its scope is "/", and everything is at or below it.
  return (level) => level.kind === "root" || below;
}

/**
 * A subscription's management groups, nearest first, ending at the tenant root
 * group (named after the tenant id), as Resource Graph's managementGroupAncestorsChain;
 * undefined when the fleet does not say.
 */
function ancestorsOf(subscription: AzureFleet["subscriptions"][number], tenantId: string): string[] | undefined {
  const chain = subscription.managementGroupAncestorsChain?.map((g) => g.name.toLowerCase());
  if (chain === undefined) return undefined;
  return chain.includes(tenantId.toLowerCase()) ? chain : [...chain, tenantId.toLowerCase()];
}
