import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shellQuote } from "../../shared/checks/index.js";
import { NS, first, fires, healthyFleet, only } from "./builders.js";

/** What /bin/sh makes of a command line, with kubectl/az replaced by a function that prints its arguments. */
function argumentsOf(commandLine: string, env: Record<string, string> = {}): string[] {
  const script = `kubectl() { for a in "$@"; do printf '%s\\0' "$a"; done; }\naz() { kubectl "$@"; }\n${commandLine}`;
  const result = spawnSync("/bin/sh", ["-c", script], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", ...env } });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split("\0").slice(0, -1);
}

describe("shell quoting", () => {
  it("leaves plain names readable", () => {
    expect(shellQuote("orders-sa")).toBe("orders-sa");
    expect(shellQuote("https://oidc.prod-aks.azure.com/abc/")).toBe("https://oidc.prod-aks.azure.com/abc/");
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("~root")).toBe("'~root'");
  });

  it("reads back any value unchanged through a POSIX shell", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }).filter((s) => !s.includes("\0")), (value) => {
        expect(argumentsOf(`kubectl ${shellQuote(value)}`)).toEqual([value]);
      }),
      { numRuns: 150 },
    );
  });

  it("runs nothing hidden in a value pasted into a finding's command", () => {
    const dir = mkdtempSync(join(tmpdir(), "wiscan-quote-"));
    const marker = join(dir, "pwned");
    const hostile = `x'; touch ${marker}; echo '$(touch ${marker})\`touch ${marker}\`\ntouch ${marker}`;
    const fleet = healthyFleet();
    first(fleet).services = [{ namespace: NS, name: "orders-svc", annotations: { "azure.workload.identity/client-id": hostile } }];
    const f = only(fires("sa.client-id-on-wrong-object", fleet));
    const args = argumentsOf(f.remediation.command ?? "", { SERVICE_ACCOUNT: "orders-sa" });
    expect(args).toContain(`azure.workload.identity/client-id=${hostile}`);
    expect(args).toContain("orders-sa");
    expect(existsSync(marker)).toBe(false);
  });

  it("stops a command whose placeholder was not filled in, instead of running it", () => {
    const fleet = healthyFleet();
    first(fleet).services = [{ namespace: NS, name: "orders-svc", annotations: { "azure.workload.identity/client-id": "0d0d0d0d-1e1e-4f2f-8a3a-4b4b4b4b4b4b" } }];
    const command = only(fires("sa.client-id-on-wrong-object", fleet)).remediation.command ?? "";
    const result = spawnSync("/bin/sh", ["-c", `kubectl() { echo ran; }\n${command}`], { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain("ran");
    expect(result.stderr).toContain("set SERVICE_ACCOUNT");
  });
});
