import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The demo fleet, found relative to this module (dist/simulator/ or simulator/), not the working directory. */
export function demoFleetDir(): string {
  const candidates = ["../../test/fleets/demo", "../test/fleets/demo"].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  return candidates.find((dir) => existsSync(join(dir, "azure.json"))) ?? (candidates[0] as string);
}
