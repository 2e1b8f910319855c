/**
 * GET, POST /api/suppressions and DELETE /api/suppressions/{id}. Who created a
 * suppression comes from App Service Authentication when it fronts the app
 * (see docs/store.md); otherwise from the body's createdBy.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { InvalidParameterError, parseNewSuppression } from "../../shared/store/index.js";
import { notFound, queryParameters, respond, routeParameter } from "./respond.js";
import { findingsStore } from "./store-instance.js";

/** Set by App Service Authentication (Easy Auth) to the signed-in user's name. */
export const PRINCIPAL_NAME_HEADER = "x-ms-client-principal-name";

/** Bodies are a few hundred bytes; anything much larger is a mistake or an attack. */
const MAX_BODY_BYTES = 16 * 1024;

export async function listSuppressions(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    queryParameters(request, []);
    const store = await findingsStore();
    const now = Date.now();
    const items = (await store.listSuppressions()).map((s) => ({ ...s, expired: Date.parse(s.expiresAt) <= now }));
    return { status: 200, jsonBody: { items } };
  });
}

export async function createSuppression(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    queryParameters(request, []);
    const text = await request.text();
    if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new InvalidParameterError("body", `must be at most ${MAX_BODY_BYTES} bytes`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new InvalidParameterError("body", "must be JSON");
    }
    const principal = request.headers.get(PRINCIPAL_NAME_HEADER) ?? undefined;
    const input = parseNewSuppression(body, new Date(), principal);
    const created = await (await findingsStore()).createSuppression(input);
    return { status: 201, headers: { location: `suppressions/${encodeURIComponent(created.id)}` }, jsonBody: created };
  });
}

export async function deleteSuppression(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    queryParameters(request, []);
    const id = routeParameter(request, "id");
    const deleted = await (await findingsStore()).deleteSuppression(id);
    return deleted ? { status: 204 } : notFound(`Suppression ${id}`);
  });
}

app.http("suppressions-list", { methods: ["GET"], authLevel: "function", route: "suppressions", handler: listSuppressions });
app.http("suppressions-create", { methods: ["POST"], authLevel: "function", route: "suppressions", handler: createSuppression });
app.http("suppressions-delete", { methods: ["DELETE"], authLevel: "function", route: "suppressions/{id}", handler: deleteSuppression });
