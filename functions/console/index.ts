/** Registers the web console's pages, actions and assets with the Functions host, beside the API. */
import { app } from "@azure/functions";
import { CONSOLE_ROUTE_TABLE, durableInputs } from "./routes.js";

for (const r of CONSOLE_ROUTE_TABLE) {
  const extraInputs = durableInputs(r);
  app.http(r.name, { methods: [r.method], authLevel: "anonymous", route: r.route, ...(extraInputs.length > 0 && { extraInputs }), handler: r.handler });
}
