/**
 * The console's CSRF key: 32 random bytes made on first use and kept in the
 * findings storage account (table `<prefix>Console`, partition "console", row
 * "csrf-key"), so every instance of the app signs and checks forms with the
 * same key without an app setting to provision. Whoever can read that table
 * can read every finding already; the key lets nobody act without also
 * getting a signed-in caller's browser to post (Origin and Sec-Fetch-Site are
 * checked too). Deleting the row rotates it (open forms then ask for a reload).
 */
import { randomBytes } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import { statusOf } from "../store/batch.js";

export const CONSOLE_TABLE_SUFFIX = "Console";
const PARTITION = "console";
const ROW = "csrf-key";
const KEY_BYTES = 32;

/** The stored key, or a new one stored now; when two instances race, the first write wins and both use it. */
export async function loadOrCreateCsrfKey(table: TableClient): Promise<Buffer> {
  const existing = await readKey(table);
  if (existing !== undefined) return existing;
  const key = randomBytes(KEY_BYTES);
  try {
    await table.createEntity({ partitionKey: PARTITION, rowKey: ROW, key: key.toString("base64") });
    return key;
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
    const winner = await readKey(table);
    if (winner === undefined) throw new Error("the console's CSRF key row exists but could not be read", { cause: error });
    return winner;
  }
}

async function readKey(table: TableClient): Promise<Buffer | undefined> {
  try {
    const row = await table.getEntity<{ key?: unknown }>(PARTITION, ROW);
    const key = typeof row.key === "string" ? Buffer.from(row.key, "base64") : Buffer.alloc(0);
    if (key.length < KEY_BYTES) throw new Error(`the console's CSRF key row holds ${key.length} bytes, fewer than ${KEY_BYTES}: delete the row to make a new key`);
    return key;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}
