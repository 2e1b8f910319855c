/**
 * POST /api/digests/{scanId}/resend: sends the stored digests of a scan again,
 * as they were rendered. By default only those not delivered yet (the mail
 * server was down); `?all=true` sends every one again (someone lost the mail);
 * `?audience=ID` only that audience's ("fleet", or a team's "subs-…").
 * Needs the app role Digests.Send; at most DIGEST_RESEND_LIMIT_PER_HOUR
 * requests per hour for the whole app (429 with Retry-After beyond).
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { APP_ROLES, requireRole } from "../../shared/auth/index.js";
import { loadConfig } from "../../shared/config/index.js";
import { DigestError, resendDigest, type DigestErrorCode } from "../../shared/digest/index.js";
import { InvalidParameterError } from "../../shared/store/index.js";
import { digestRuntime } from "../runtime/digest-runtime.js";
import { spendBudget } from "./rate-limit.js";
import { queryParameters, respond, routeParameter } from "./respond.js";

export const RESEND_PARAMETERS = ["audience", "all"] as const;

export async function resendDigests(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    requireRole(request, APP_ROLES.sendDigests);
    const get = queryParameters(request, RESEND_PARAMETERS);
    const scanId = routeParameter(request, "scanId");
    const all = parseFlag(get("all"));
    const audienceId = get("audience");
    // Counted once the request is well-formed: each one may mail every audience of a scan.
    await spendBudget("resendDigest", loadConfig(process.env).limits.digestResendsPerHour);
    try {
      const runtime = await digestRuntime();
      if (runtime.transport === undefined) {
        throw new DigestError("no-transport", "MAIL_TRANSPORT is none: set it to acs or smtp (with its settings) to send digests");
      }
      const report = await resendDigest(
        { store: runtime.store, archive: runtime.archive, transport: runtime.transport },
        scanId,
        { digest: runtime.config.digest, ...(runtime.retry !== undefined && { retry: runtime.retry }) },
        { all, ...(audienceId !== undefined && { audienceId }) },
      );
      const failed = report.digests.filter((d) => d.outcome === "failed");
      if (failed.length > 0) {
        // The mail server refused: the digests stay stored; the body says which and why.
        return { status: 502, jsonBody: { error: { code: "send-failed", message: `${failed.length} of ${report.digests.length} digests could not be sent` }, ...report } };
      }
      return { status: 200, jsonBody: report };
    } catch (error) {
      if (error instanceof DigestError) return digestErrorResponse(error);
      throw error;
    }
  });
}

/** The HTTP status of each digest error: not found is 404, a bad request 400, missing configuration on the service side 409/503. */
export function digestErrorStatus(code: DigestErrorCode): number {
  switch (code) {
    case "scan-not-found":
    case "digest-not-found":
      return 404;
    case "invalid-scan-id":
      return 400;
    case "no-transport":
      return 409;
    case "not-configured":
    case "invalid-routes":
      return 503;
    default: {
      const never: never = code;
      return never;
    }
  }
}

function digestErrorResponse(error: DigestError): HttpResponseInit {
  return { status: digestErrorStatus(error.code), jsonBody: { error: { code: error.code, message: error.message } } };
}

function parseFlag(value: string | undefined): boolean {
  if (value === undefined || value === "false") return false;
  if (value === "true" || value === "") return true;
  throw new InvalidParameterError("all", `must be true or false (got "${value.slice(0, 40)}")`);
}

// Anonymous to the Functions host: App Service Authentication and the role check above guard it.
app.http("digests-resend", { methods: ["POST"], authLevel: "anonymous", route: "digests/{scanId}/resend", handler: resendDigests });
