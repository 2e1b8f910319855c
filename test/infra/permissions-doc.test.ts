/**
 * docs/permissions.md against the code that calls Azure: every inventory
 * operation and every ARM action the cluster access makes has its anchored
 * line, so that a scan.forbidden finding can link to it. (Kubernetes requests
 * are checked against the live collector in kubernetes-permissions.test.ts.)
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const sources = (dir: string) =>
  readdirSync(new URL(dir, root))
    .filter((name) => name.endsWith(".ts"))
    .map((name) => read(`${dir}/${name}`));

const permissionsDoc = read("docs/permissions.md");
const anchors = [...permissionsDoc.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]!);
const anchor = (...parts: string[]) => parts.join("-").toLowerCase().replace(/[^a-z0-9]+/g, "-");

describe("docs/permissions.md", () => {
  it("has a line for every operation the inventory reports errors for", () => {
    const operations = new Set<string>();
    for (const text of sources("shared/inventory")) {
      for (const m of text.matchAll(/inventoryError\(\s*\w+\s*,\s*"([A-Za-z]+)"/g)) operations.add(m[1]!);
      for (const m of text.matchAll(/\bquery\(\s*"([A-Za-z]+)"/g)) operations.add(m[1]!);
    }
    expect(operations.size).toBeGreaterThan(3);
    expect([...operations].map((op) => anchor("inventory", op)).filter((a) => !anchors.includes(a))).toEqual([]);
  });

  it("has a line for every ARM action the scanner takes on a cluster", () => {
    const actions = new Set<string>();
    for (const text of sources("shared/cluster")) {
      for (const m of text.matchAll(/resource:\s*"Microsoft\.[A-Za-z]+\/[A-Za-z/]*\/([A-Za-z]+)",\s*verb:\s*"(\w+)"/g)) actions.add(anchor("arm", m[1]!, m[2]!));
    }
    expect(actions.size).toBeGreaterThan(0);
    expect([...actions].filter((a) => !anchors.includes(a))).toEqual([]);
  });

  it("uses each anchor once, in the documented lower-case form", () => {
    expect(anchors.filter((a, i) => anchors.indexOf(a) !== i)).toEqual([]);
    expect(anchors.filter((a) => a !== anchor(a))).toEqual([]);
  });

  it("names every custom role the templates define", () => {
    for (const file of ["kubernetes-reader", "kubernetes-token-requester", "run-command", "email-sender"]) {
      const role = JSON.parse(read(`infra/roles/${file}.json`)) as { roleName: string; actions: string[]; dataActions: string[] };
      expect(permissionsDoc, file).toContain(role.roleName);
      for (const action of [...role.actions, ...role.dataActions]) expect(permissionsDoc, `${file}: ${action}`).toContain(`\`${action}\``);
    }
  });
});
