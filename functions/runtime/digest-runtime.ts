/**
 * What the digest step and the resend route work with: the findings store
 * (the digest's source), the digest archive beside it and the mail transport
 * that MAIL_TRANSPORT names. Built from the app settings on first use, never
 * at import time, then shared by every invocation of the worker. Tests and
 * other hosts hand in their own with useDigestRuntime.
 */
import { loadConfig, type WiscanConfig } from "../../shared/config/index.js";
import { createDigestArchive, type DigestArchive, type DigestSource, type RetryPolicy } from "../../shared/digest/index.js";
import { createMailTransport, type MailTransport } from "../../shared/mail/index.js";
import { findingsStore } from "../http/store-instance.js";

export interface DigestRuntime {
  /** The settings the digest reads: recipients, routes, sender, size bound, links. */
  config: Pick<WiscanConfig, "digest">;
  store: DigestSource;
  archive: DigestArchive;
  /** Absent when MAIL_TRANSPORT is none: digests are rendered and stored, not sent. */
  transport?: MailTransport;
  /** Send attempts and backoff; the digest module's default when absent. */
  retry?: RetryPolicy;
}

let instance: Promise<DigestRuntime> | undefined;

export function digestRuntime(): Promise<DigestRuntime> {
  if (!instance) {
    instance = fromSettings();
    // A failed start (bad setting, storage unreachable) is retried on the next use, not cached.
    instance.catch(() => {
      instance = undefined;
    });
  }
  return instance;
}

/** Uses the given runtime instead of the app settings; undefined goes back to the settings. */
export function useDigestRuntime(runtime: DigestRuntime | undefined): void {
  instance = runtime === undefined ? undefined : Promise.resolve(runtime);
}

async function fromSettings(): Promise<DigestRuntime> {
  const config = loadConfig(process.env);
  const managedIdentityClientId = config.scanner.managedIdentityClientId;
  const identity = managedIdentityClientId !== undefined ? { managedIdentityClientId } : {};
  const [store, archive, transport] = await Promise.all([
    findingsStore(),
    createDigestArchive(config.store, identity),
    createMailTransport(config.digest, identity),
  ]);
  return { config, store, archive, ...(transport !== undefined && { transport }) };
}
