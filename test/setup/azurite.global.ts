/**
 * Vitest global setup: one in-memory Azurite table service for the whole run,
 * on a free port. Test files reach it through `inject("azuriteTables")` and
 * keep apart by using their own table name prefix.
 */
import type { TestProject } from "vitest/node";
import { startAzurite } from "../support/azurite.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Connection string of the Azurite table service started for this run. */
    azuriteTables: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide("azuriteTables", azurite.connectionString);
  return () => azurite.stop();
}
