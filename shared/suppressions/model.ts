/**
 * What a suppression is: a check, a resource pattern, who accepted the risk,
 * why and until when. Lifted suppressions stay as tombstones (never deleted),
 * so the audit trail and the findings' histories keep pointing at something.
 */
import type { CheckId } from "../findings/model.js";

/**
 * A resource pattern: every given field must match; "*" in a value matches any
 * run of characters. Matching is case-insensitive (ARM ids and GUIDs come back
 * from Azure in varying case).
 */
export interface SuppressionPattern {
  subscription?: string;
  /** Cluster name or ARM id. */
  cluster?: string;
  namespace?: string;
  /** The resource's name (service account, pod, identity, credential...). */
  name?: string;
  /** Client id or ARM id of the identity a finding is about (fic.* and identity.* findings name no cluster). */
  identity?: string;
}

export interface NewSuppression {
  checkId: CheckId;
  pattern: SuppressionPattern;
  /**
   * True for a suppression that names no cluster, namespace, resource or
   * identity: it hides the check across the fleet (or a subscription), so it is
   * asked for explicitly and needs its own app role (Suppressions.FleetWide).
   */
  fleetWide?: boolean;
  reason: string;
  /** The signed-in caller's name, never what a request body claims. */
  createdBy: string;
  /** The signed-in caller's Entra object id; empty on suppressions stored before callers were authenticated. */
  createdById: string;
  expiresAt: string;
}

/** Who lifted a suppression, when and why. */
export interface SuppressionLift {
  by: string;
  byId: string;
  at: string;
  reason: string;
}

export interface Suppression extends NewSuppression {
  id: string;
  createdAt: string;
  /** Present once lifted: the row stays, and no longer applies. */
  lifted?: SuppressionLift;
}

/** active: applies now; expired: past its expiry; lifted: lifted by someone (whatever its expiry). */
export type SuppressionState = "active" | "expired" | "lifted";

/** The suppression a stored finding is hidden by, as the finding row keeps it. */
export interface AppliedSuppression {
  id: string;
  reason: string;
  createdBy: string;
  expiresAt: string;
}

export const SUPPRESSION_AUDIT_EVENTS = ["created", "lifted", "expired"] as const;
export type SuppressionAuditEvent = (typeof SUPPRESSION_AUDIT_EVENTS)[number];

/** One row of the suppression audit log: every change of every suppression. */
export interface SuppressionAuditEntry {
  suppressionId: string;
  event: SuppressionAuditEvent;
  /** When it happened: creation, lift, or the expiry instant itself. */
  at: string;
  /** Who acted (created or lifted); "wiscan" for an expiry, which nobody performs. */
  by: string;
  byId: string;
  /** The suppression's reason when created, the lift's reason when lifted. */
  reason: string;
  checkId: CheckId;
  pattern: SuppressionPattern;
  fleetWide: boolean;
  expiresAt: string;
  /** When the store noticed an expiry (a scan or a suppression change); absent for other events. */
  recordedAt?: string;
}
