/** A findings store and a digest archive in the Azurite of the global setup, under a table prefix of their own. */
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { createDigestArchive, type DigestArchive } from "../../shared/digest/index.js";
import { createFindingsStore, type FindingsStore } from "../../shared/store/index.js";

export async function digestStores(label: string): Promise<{ store: FindingsStore; archive: DigestArchive; prefix: string }> {
  const prefix = `d${label.replace(/[^A-Za-z0-9]/g, "").slice(0, 12)}${randomBytes(4).toString("hex")}`;
  const config = { kind: "connection-string" as const, connectionString: inject("azuriteTables"), retentionDays: 90 };
  const [store, archive] = await Promise.all([createFindingsStore(config, { tablePrefix: prefix }), createDigestArchive(config, { tablePrefix: prefix })]);
  return { store, archive, prefix };
}
