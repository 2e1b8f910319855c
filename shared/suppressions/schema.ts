/**
 * The API bodies of POST /api/suppressions and DELETE /api/suppressions/{id},
 * validated by one zod schema each; every refusal names the field. The author
 * is the authenticated caller, never the body: a body that says who created it
 * is refused, so nobody can sign a suppression as someone else.
 */
import { z } from "zod";
import { CHECK_IDS, type CheckId } from "../findings/model.js";
import { InvalidParameterError } from "../store/errors.js";
import type { NewSuppression, SuppressionLift } from "./model.js";
import { checkSuppressionRules, SUPPRESSION_LIMITS } from "./rules.js";

/** The caller as far as a suppression needs it (shared/auth's Caller has these). */
export interface SuppressionAuthor {
  id: string;
  name: string;
}

/** Fields naming an author or a lifecycle that only the server sets. */
const SERVER_FIELDS = ["createdBy", "createdById", "createdAt", "id", "lifted", "liftedBy", "liftedAt"] as const;

const required = (what: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? "is required" : `must be ${what}`) });

const patternField = z
  .string(required("a string"))
  .trim()
  .min(1, "must not be empty (leave the field out instead)")
  .max(SUPPRESSION_LIMITS.patternField, `must be at most ${SUPPRESSION_LIMITS.patternField} characters`);

const reason = z
  .string(required("a string"))
  .trim()
  .min(1, "is required: say why")
  .max(SUPPRESSION_LIMITS.reason, `must be at most ${SUPPRESSION_LIMITS.reason} characters`);

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export const newSuppressionBody = z.strictObject({
  checkId: z.enum(CHECK_IDS as unknown as [CheckId, ...CheckId[]], required("a known check id")),
  subscription: patternField.optional(),
  cluster: patternField.optional(),
  namespace: patternField.optional(),
  name: patternField.optional(),
  identity: patternField.optional(),
  fleetWide: z.boolean(required("true or false")).optional(),
  reason,
  expiresAt: z
    .string(required("an ISO 8601 date-time"))
    .regex(ISO_INSTANT, "must be an ISO 8601 date-time, e.g. 2026-12-31T00:00:00Z")
    .refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO 8601 date-time, e.g. 2026-12-31T00:00:00Z"),
});
export type NewSuppressionBody = z.infer<typeof newSuppressionBody>;

export const liftSuppressionBody = z.strictObject({ reason });

/**
 * A suppression from a POST body, authored by the caller, checked against the
 * governance rules (scope, scan.*, expiry within maxDays). Whether the caller
 * may create a fleet-wide one is the route's to decide (an app role).
 */
export function parseSuppressionRequest(body: unknown, author: SuppressionAuthor, now: Date, maxDays: number): NewSuppression {
  const b = parseBody(newSuppressionBody, body);
  const pattern = Object.fromEntries(
    (["subscription", "cluster", "namespace", "name", "identity"] as const).flatMap((k) => (b[k] === undefined ? [] : [[k, b[k]]])),
  );
  const input: NewSuppression = {
    checkId: b.checkId,
    pattern,
    ...(b.fleetWide === true && { fleetWide: true }),
    reason: b.reason,
    createdBy: author.name,
    createdById: author.id,
    expiresAt: new Date(Date.parse(b.expiresAt)).toISOString(),
  };
  checkSuppressionRules(input, now, maxDays);
  return input;
}

/** The lift of a suppression from a DELETE body: a reason is required, the lifter is the caller. */
export function parseLiftRequest(body: unknown, author: SuppressionAuthor, now: Date): SuppressionLift {
  const b = parseBody(liftSuppressionBody, body);
  return { by: author.name, byId: author.id, at: now.toISOString(), reason: b.reason };
}

function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new InvalidParameterError("body", "must be a JSON object");
  for (const field of SERVER_FIELDS) {
    if (Object.hasOwn(body, field)) {
      throw new InvalidParameterError(field, "is not accepted: the author and the lifecycle of a suppression come from the signed-in caller and the server, never from the request");
    }
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    throw new InvalidParameterError(issue.keys[0] ?? "body", `is not a known field (known: ${Object.keys((schema as unknown as z.ZodObject).shape).join(", ")})`);
  }
  throw new InvalidParameterError(String(issue.path[0] ?? "body"), issue.message);
}
