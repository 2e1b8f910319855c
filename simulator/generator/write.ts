/**
 * Writes a fleet held in memory as a fleet directory (docs/fleet-format.md):
 * azure.json, clusters/<name>.yaml, logs.json and, when there are faults,
 * faults.json. The YAML follows kubectl's habits (keys sorted, sequences not
 * indented under their key) so a written fleet reads like pasted output.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Document, Scalar, visit } from "yaml";
import type { FleetDescription, KubeObject } from "../fleet/model.js";

/** One cluster's objects as a `---`-separated YAML stream. */
export function clusterYaml(objects: readonly KubeObject[]): string {
  return objects.map(objectYaml).join("---\n");
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function objectYaml(object: KubeObject): string {
  // Generated fleets share sub-objects between pods; anchors would not be kubectl output.
  const doc = new Document(object, { aliasDuplicateObjects: false, sortMapEntries: true });
  // kubectl quotes timestamps (YAML 1.1 would read them as dates); do the same.
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && TIMESTAMP.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 0 });
}

/** Writes the fleet into `dir` (created if needed); existing files of the same names are replaced. */
export async function writeFleet(fleet: FleetDescription, dir: string): Promise<void> {
  await mkdir(join(dir, "clusters"), { recursive: true });
  await writeFile(join(dir, "azure.json"), JSON.stringify(fleet.azure, null, 2) + "\n");
  for (const [name, objects] of fleet.clusters) {
    await writeFile(join(dir, "clusters", `${name}.yaml`), clusterYaml(objects));
  }
  await writeFile(join(dir, "logs.json"), JSON.stringify(fleet.logs, null, 2) + "\n");
  if (hasFaults(fleet.faults)) {
    await writeFile(join(dir, "faults.json"), JSON.stringify(fleet.faults, null, 2) + "\n");
  }
}

function hasFaults(faults: unknown): boolean {
  return typeof faults === "object" && faults !== null && Object.keys(faults).length > 0;
}
