/**
 * GET, POST /api/suppressions and DELETE /api/suppressions/{id}: governed
 * suppressions (docs/store.md, "Suppressions"; docs/permissions.md for the
 * roles). Anonymous at the host: App Service Authentication signs callers in,
 * and each handler checks the app role before it reads anything. The author
 * of a suppression, and who lifts it, is always the signed-in caller.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { APP_ROLES, AuthorizationError, requireRole } from "../../shared/auth/index.js";
import { parseLiftRequest, parseSuppressionRequest, suppressionState } from "../../shared/suppressions/index.js";
import { readJsonBody } from "./body.js";
import { notFound, queryParameters, respond, routeParameter } from "./respond.js";
import { findingsStore } from "./store-instance.js";

export async function listSuppressions(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    requireRole(request, APP_ROLES.readFindings);
    queryParameters(request, []);
    const store = await findingsStore();
    const now = new Date();
    const items = (await store.listSuppressions()).map((s) => {
      const state = suppressionState(s, now);
      return { ...s, state, expired: state === "expired" };
    });
    return { status: 200, jsonBody: { items } };
  });
}

export async function createSuppression(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    const caller = requireRole(request, APP_ROLES.writeSuppressions);
    queryParameters(request, []);
    const store = await findingsStore();
    const input = parseSuppressionRequest(await readJsonBody(request), caller, new Date(), store.suppressionMaxDays);
    // Hiding a check across the fleet is a separate permission, checked after the body says that is what is asked.
    if (input.fleetWide === true && !caller.roles.has(APP_ROLES.suppressFleetWide)) throw new AuthorizationError(APP_ROLES.suppressFleetWide);
    const created = await store.createSuppression(input);
    return { status: 201, headers: { location: `suppressions/${encodeURIComponent(created.id)}` }, jsonBody: created };
  });
}

/** Lifts a suppression (body: {"reason": "..."}); the row stays as a tombstone. */
export async function deleteSuppression(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    const caller = requireRole(request, APP_ROLES.writeSuppressions);
    queryParameters(request, []);
    const id = routeParameter(request, "id");
    const lift = parseLiftRequest((await readJsonBody(request)) ?? {}, caller, new Date());
    const result = await (await findingsStore()).liftSuppression(id, lift);
    switch (result.outcome) {
      case "lifted":
        return { status: 200, jsonBody: result.suppression };
      case "already-lifted":
        return { status: 409, jsonBody: { error: { code: "already-lifted", message: `Suppression ${id} was lifted by ${result.suppression.lifted?.by ?? "someone"} at ${result.suppression.lifted?.at ?? "an earlier time"}` } } };
      case "unknown":
        return notFound(`Suppression ${id}`);
      default: {
        const never: never = result;
        throw new Error(`unknown lift outcome ${JSON.stringify(never)}`);
      }
    }
  });
}

// Anonymous at the host: the platform's authentication and the app roles guard these routes (function keys stay for what the platform calls).
app.http("suppressions-list", { methods: ["GET"], authLevel: "anonymous", route: "suppressions", handler: listSuppressions });
app.http("suppressions-create", { methods: ["POST"], authLevel: "anonymous", route: "suppressions", handler: createSuppression });
app.http("suppressions-delete", { methods: ["DELETE"], authLevel: "anonymous", route: "suppressions/{id}", handler: deleteSuppression });
