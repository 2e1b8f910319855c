export type { MailMessage, MailTransport, MailTransportKind, SentMail } from "./model.js";
export { MAIL_TRANSPORT_KINDS } from "./model.js";
export { MailError, MAIL_ERROR_CODES, type MailErrorCode } from "./errors.js";
export { createSmtpTransport, type SmtpSettings } from "./smtp.js";
export { createAcsTransport, type AcsSettings } from "./acs.js";
export { createMailTransport, type TransportOptions } from "./factory.js";
export {
  createPacedTransport,
  recipientBatches,
  SendWindows,
  AZURE_MANAGED_DOMAIN_LIMITS,
  DEFAULT_MAX_WAIT_MS,
  REAL_CLOCK,
  type SendLimits,
  type PacingClock,
  type PacingOptions,
} from "./pacing.js";
export { type MailErrorOptions } from "./errors.js";
