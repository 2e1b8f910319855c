/** Who calls the HTTP API and which app roles they hold (docs/permissions.md, "Who may do what"). */
export * from "./principal.js";
