/**
 * TokenRequest (`POST .../serviceaccounts/{name}/token`): a service-account
 * token signed by the simulator, issued by the cluster's OIDC issuer, exactly
 * what the kubelet would project into a workload-identity pod.
 */
import { randomUUID } from "node:crypto";
import type { KubeObject } from "../fleet/model.js";
import type { TokenSigner } from "../tokens.js";
import { statusObject, type KubernetesStatus } from "./status.js";

/** The issuer an API server without an OIDC issuer profile puts in its tokens. */
export const IN_CLUSTER_ISSUER = "https://kubernetes.default.svc.cluster.local";

const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

export type TokenRequestAnswer = { ok: true; body: unknown } | { ok: false; status: KubernetesStatus };

export function issueServiceAccountToken(
  serviceAccount: KubeObject,
  requestBody: string,
  context: { issuer: string; tokens: TokenSigner; now: Date },
): TokenRequestAnswer {
  const { name, namespace = "default" } = serviceAccount.metadata;
  let spec: { audiences?: unknown; expirationSeconds?: unknown } = {};
  if (requestBody.trim() !== "") {
    try {
      const parsed = JSON.parse(requestBody) as { spec?: typeof spec };
      spec = parsed.spec ?? {};
    } catch (error) {
      return { ok: false, status: statusObject(400, "BadRequest", `the body of the request was in an unknown format: ${(error as Error).message}`) };
    }
  }
  const invalid = (field: string, value: unknown, problem: string): TokenRequestAnswer => ({
    ok: false,
    status: statusObject(422, "Invalid", `TokenRequest.authentication.k8s.io "${name}" is invalid: ${field}: Invalid value: ${JSON.stringify(value)}: ${problem}`, {
      name,
      group: "authentication.k8s.io",
      kind: "TokenRequest",
    }),
  });

  const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (typeof expirationSeconds !== "number" || !Number.isInteger(expirationSeconds)) return invalid("spec.expirationSeconds", expirationSeconds, "must be an integer");
  if (expirationSeconds < MIN_EXPIRATION_SECONDS) return invalid("spec.expirationSeconds", expirationSeconds, "may not specify a duration less than 10 minutes");
  if (expirationSeconds > MAX_EXPIRATION_SECONDS) return invalid("spec.expirationSeconds", expirationSeconds, "may not specify a duration larger than 2^32 seconds");
  const audiences = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? spec.audiences : [context.issuer];
  if (!audiences.every((audience): audience is string => typeof audience === "string")) return invalid("spec.audiences", audiences, "must be strings");

  const issuedAt = Math.floor(context.now.getTime() / 1000);
  const expiresAt = issuedAt + expirationSeconds;
  const uid = typeof serviceAccount.metadata.uid === "string" ? serviceAccount.metadata.uid : "";
  const token = context.tokens.sign({
    aud: audiences,
    exp: expiresAt,
    iat: issuedAt,
    nbf: issuedAt,
    iss: context.issuer,
    jti: randomUUID(),
    sub: `system:serviceaccount:${namespace}:${name}`,
    "kubernetes.io": { namespace, serviceaccount: { name, uid } },
  });
  return {
    ok: true,
    body: {
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { name, namespace, creationTimestamp: null },
      spec: { audiences, expirationSeconds, boundObjectRef: null },
      status: { token, expirationTimestamp: new Date(expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, "Z") },
    },
  };
}
