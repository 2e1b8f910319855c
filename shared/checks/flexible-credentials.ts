/**
 * Flexible federated identity credentials (claimsMatchingExpression), as
 * Entra documents them: learn.microsoft.com/entra/workload-id/
 * workload-identities-flexible-federated-identity-credentials ("Current
 * limitations", "Issuer URLs, supported claims, and operators by platform").
 *
 * Entra evaluates an expression only for the issuers below. A flexible
 * credential for any other issuer (an AKS cluster's included) admits no token,
 * whatever its expression. When Entra adds a platform, add one line to
 * FLEXIBLE_ISSUERS: the checks then evaluate the expression against the
 * service account's subject.
 */

export interface FlexibleIssuer {
  platform: string;
  /** The issuer URLs Entra accepts for this platform. */
  issuer: RegExp;
  /** Claims an expression may name, with the operators each supports. */
  claims: Readonly<Record<string, readonly Operator[]>>;
}

export type Operator = "eq" | "matches";

export const FLEXIBLE_ISSUERS: readonly FlexibleIssuer[] = [
  { platform: "GitHub", issuer: /^https:\/\/token\.actions\.githubusercontent\.com$/, claims: { sub: ["eq", "matches"], job_workflow_ref: ["eq", "matches"] } },
  // "https://gitlab.com, https://gitlab.example.com, and https://gitlab.example.ca where example can be any string".
  { platform: "GitLab", issuer: /^https:\/\/gitlab(\.[^./]+)?\.(com|ca)$/, claims: { sub: ["eq", "matches"] } },
  { platform: "Terraform Cloud", issuer: /^https:\/\/app(\.eu)?\.terraform\.io$/, claims: { sub: ["eq", "matches"] } },
];

/** The platform whose tokens Entra matches flexibly for this issuer, if any. */
export function flexibleIssuer(issuer: string): FlexibleIssuer | undefined {
  return FLEXIBLE_ISSUERS.find((f) => f.issuer.test(issuer));
}

/** One `claims['<name>'] <operator> '<comparand>'` clause. */
interface Clause {
  claim: string;
  operator: Operator;
  comparand: string;
}

const CLAUSE = /^claims\[\s*'([^']+)'\s*\]\s+(eq|matches)\s+'([^']*)'$/;

/**
 * Parses an expression of the documented language (version 1): clauses
 * joined by `and`. Undefined for anything else (an unquoted comparand, an
 * operator Entra does not document): the scanner then cannot say what the
 * expression admits.
 */
export function parseExpression(value: string): Clause[] | undefined {
  const text = value.trim();
  if (text === "") return undefined;
  const clauses: Clause[] = [];
  for (const part of text.split(/\s+and\s+/)) {
    const m = CLAUSE.exec(part.trim());
    if (m === null) return undefined;
    clauses.push({ claim: m[1] as string, operator: m[2] as Operator, comparand: m[3] as string });
  }
  return clauses;
}

/** `matches`: `?` is any one character, `*` any run of characters; everything else literal and case-sensitive. */
export function wildcardMatches(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\?/g, ".").replace(/\*/g, ".*");
  return new RegExp(`^${source}$`, "s").test(value);
}

export type ExpressionVerdict = "match" | "no-match" | "unknown";

/**
 * Whether an expression admits a token with these claims, ignoring whether
 * Entra supports the issuer (see admitsFlexibly for that). A clause on a claim
 * the token does not carry fails, as a missing claim cannot equal anything.
 */
export function evaluateExpression(value: string, claims: Readonly<Record<string, string>>): ExpressionVerdict {
  const clauses = parseExpression(value);
  if (clauses === undefined) return "unknown";
  const all = clauses.every(({ claim, operator, comparand }) => {
    const actual = claims[claim];
    if (actual === undefined) return false;
    return operator === "eq" ? actual === comparand : wildcardMatches(comparand, actual);
  });
  return all ? "match" : "no-match";
}

/**
 * What Entra does with a flexible credential for a token with this issuer and
 * subject: "unsupported-issuer" (no token, today's answer for every AKS
 * issuer), or the expression's verdict for a supported issuer. A clause on a
 * claim or with an operator the platform does not support makes it unknown.
 */
export function admitsFlexibly(
  issuer: string,
  expression: { value: string } | undefined,
  subject: string,
): ExpressionVerdict | "unsupported-issuer" {
  const platform = flexibleIssuer(issuer);
  if (platform === undefined) return "unsupported-issuer";
  if (expression === undefined) return "unknown";
  const clauses = parseExpression(expression.value);
  if (clauses === undefined || clauses.some((c) => !(platform.claims[c.claim] ?? []).includes(c.operator))) return "unknown";
  return evaluateExpression(expression.value, { sub: subject });
}
