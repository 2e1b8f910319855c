/**
 * The projected token's lifetime as the workload identity webhook decides it
 * (azure-workload-identity pkg/webhook/webhook.go getServiceAccountTokenExpiration,
 * v1.6.0): the pod's `service-account-token-expiration` annotation when it is
 * not empty, else the service account's when that is not empty, else 3600;
 * the value read with `strconv.ParseInt(value, 10, 64)`; anything outside
 * MinServiceAccountTokenExpiration..MaxServiceAccountTokenExpiration
 * (3600..86400, pkg/webhook/consts.go) makes the webhook reject the pod.
 * Pure: the checks and the live probe share it.
 */
export const TOKEN_EXPIRATION_ANNOTATION = "azure.workload.identity/service-account-token-expiration";
export const TOKEN_EXPIRATION_LIMITS = { min: 3600, max: 86400, default: 3600 } as const;

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * Go's strconv.ParseInt(s, 10, 64): an optional "+" or "-", then one or more
 * ASCII digits, nothing else (no spaces, no underscores with an explicit base
 * 10, no unit); out of int64 range is an error too. undefined when Go returns
 * an error.
 */
export function parseGoInt64(value: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(value)) return undefined;
  const parsed = BigInt(value);
  return parsed > INT64_MAX || parsed < INT64_MIN ? undefined : parsed;
}

export type TokenExpiration =
  | { source: "default"; seconds: number }
  | { source: "pod" | "service-account"; value: string; seconds: number }
  /** The webhook rejects the pod: `reason` says why in the webhook's terms. */
  | { source: "pod" | "service-account"; value: string; invalid: "not an integer" | "out of range" };

type Annotations = Readonly<Record<string, string>>;

/** What the webhook decides for a pod (or template) with these annotations, running as a service account with those. */
export function effectiveTokenExpiration(podAnnotations: Annotations, serviceAccountAnnotations: Annotations | undefined): TokenExpiration {
  const own = podAnnotations[TOKEN_EXPIRATION_ANNOTATION];
  const inherited = serviceAccountAnnotations?.[TOKEN_EXPIRATION_ANNOTATION];
  // `!= ""` in the webhook: an empty annotation is as good as none.
  if (own !== undefined && own !== "") return judge("pod", own);
  if (inherited !== undefined && inherited !== "") return judge("service-account", inherited);
  return { source: "default", seconds: TOKEN_EXPIRATION_LIMITS.default };
}

/** One annotation value as the webhook judges it. */
export function judge(source: "pod" | "service-account", value: string): TokenExpiration {
  const parsed = parseGoInt64(value);
  if (parsed === undefined) return { source, value, invalid: "not an integer" };
  if (parsed < BigInt(TOKEN_EXPIRATION_LIMITS.min) || parsed > BigInt(TOKEN_EXPIRATION_LIMITS.max)) return { source, value, invalid: "out of range" };
  return { source, value, seconds: Number(parsed) };
}

/** An annotation value the webhook would accept, or ignore (empty). */
export function isAcceptedTokenExpiration(value: string): boolean {
  return value === "" || !("invalid" in judge("pod", value));
}
