export type { MailMessage, MailTransport, MailTransportKind, SentMail } from "./model.js";
export { MAIL_TRANSPORT_KINDS } from "./model.js";
export { MailError, MAIL_ERROR_CODES, type MailErrorCode } from "./errors.js";
export { createSmtpTransport, type SmtpSettings } from "./smtp.js";
export { createAcsTransport, type AcsSettings } from "./acs.js";
export { createMailTransport, type TransportOptions } from "./factory.js";
