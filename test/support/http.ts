/** An Azure Functions HTTP handler called as the host calls it: a real HttpRequest and InvocationContext. */
import azfn from "@azure/functions";

// @azure/functions is CommonJS: its classes come through the default import.
const { HttpRequest, InvocationContext } = azfn;

export type Handler = (request: InstanceType<typeof HttpRequest>, context: InstanceType<typeof InvocationContext>) => Promise<azfn.HttpResponseInit>;

export interface CallInit {
  method?: string;
  params?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The answer, with the errors the handler logged (a query that failed says so in the log, never in the body). */
export async function callHandler(handler: Handler, path: string, init: CallInit = {}) {
  const request = new HttpRequest({
    method: init.method ?? "GET",
    url: `http://localhost/api/${path}`,
    ...(init.params && { params: init.params }),
    ...(init.headers && { headers: init.headers }),
    ...(init.body !== undefined && { body: { string: typeof init.body === "string" ? init.body : JSON.stringify(init.body) } }),
  });
  const errors: unknown[] = [];
  const context = new InvocationContext({ functionName: "test", logHandler: (level, ...args) => level === "error" && errors.push(args) });
  const response = await handler(request, context);
  return {
    status: response.status ?? 200,
    json: response.jsonBody as Record<string, unknown>,
    body: response.body,
    headers: new Headers(response.headers as Record<string, string>),
    errors,
  };
}
