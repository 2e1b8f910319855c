import type { Placeholder } from "./commands.js";

export const CLIENT_ID_PLACEHOLDER: Placeholder = {
  variable: "CLIENT_ID",
  hint: "set CLIENT_ID to the client id of the identity this service account should use",
};

/** The scanner's own identity, in commands that grant it a permission. */
export const SCANNER_PLACEHOLDER: Placeholder = {
  variable: "SCANNER_PRINCIPAL_ID",
  hint: "set SCANNER_PRINCIPAL_ID to the object id of the scanner's identity",
};
