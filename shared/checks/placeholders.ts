import type { Placeholder } from "./commands.js";

export const CLIENT_ID_PLACEHOLDER: Placeholder = {
  variable: "CLIENT_ID",
  hint: "set CLIENT_ID to the client id of the identity this service account should use",
};
