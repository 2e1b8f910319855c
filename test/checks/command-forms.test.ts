/**
 * The PowerShell form of remediation commands. There is no pwsh on this
 * machine, so the PowerShell side is read by `powershellArguments` below, which
 * follows the rules it cites (about_Quoting_Rules; PowerShell language
 * specification 3.0 §2.3.5.2, single-quote-character; about_Parsing, argument
 * mode) for the only shapes the writer may emit, and refuses anything else.
 * The bash side is read by the real /bin/sh.
 */
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shellQuote } from "../../shared/checks/index.js";
import { arg, createCredential, kubectl } from "../../shared/checks/commands.js";
import { commandForms } from "../../shared/checks/command-forms.js";
import { POWERSHELL_SINGLE_QUOTES, powershellQuote } from "../../shared/checks/powershell-quote.js";
import type { AksCluster } from "../../shared/inventory/model.js";

const PLACEHOLDER = { variable: "CLIENT_ID", hint: "set CLIENT_ID to the client id of the scanner's identity" };

/** What /bin/sh makes of each line, with the program replaced by one that prints its arguments; placeholders set to <NAME>. */
function shellArguments(command: string): string[][] {
  const script = `run() { for a in "$@"; do printf '%s\\037' "$a"; done; printf '\\036'; }\nkubectl() { run kubectl "$@"; }\naz() { run az "$@"; }\n${command}`;
  const result = spawnSync("/bin/sh", ["-c", script], { encoding: "utf8", env: { PATH: "/usr/bin:/bin", CLIENT_ID: "<CLIENT_ID>" } });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout
    .split("\u001e")
    .slice(0, -1)
    .map((line) => line.split("\u001f").slice(0, -1));
}

const QUOTES = new Set<string>(POWERSHELL_SINGLE_QUOTES);
/** Characters that mean something to PowerShell in argument mode outside quotes (about_Parsing, about_Special_Characters). */
const POWERSHELL_SPECIAL = /[\s$@(){};,|&<>#`"%\u2018-\u201E']/;
const REQUIRED = /^\$\(if \(\$([A-Za-z_][A-Za-z0-9_]*)\) \{ \$\1 \} else \{ throw '((?:[^'\u2018-\u201B]|['\u2018-\u201B]{2})*)' \}\)/;

/**
 * Reads a verbatim string at `text[start]` (a single-quote character): two
 * single-quote characters in a row stand for the second, one alone ends it.
 */
function verbatim(text: string, start: number): { value: string; end: number } {
  expect(QUOTES.has(text[start]!)).toBe(true);
  let value = "";
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (QUOTES.has(c)) {
      if (QUOTES.has(text[i + 1] ?? "")) {
        value += text[i + 1];
        i++;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += c;
  }
  throw new Error(`unterminated string in ${text}`);
}

/** The arguments PowerShell passes for each line of the writer's output, with $NAME placeholders read as <NAME>. */
function powershellArguments(command: string): string[][] {
  const lines: string[][] = [];
  let words: string[] = [];
  let i = 0;
  const piece = (): string => {
    const required = REQUIRED.exec(command.slice(i));
    if (required) {
      i += required[0].length;
      return `<${required[1]}>`;
    }
    const { value, end } = verbatim(command, i);
    i = end;
    return value;
  };
  while (i < command.length) {
    const c = command[i]!;
    if (c === "\n") {
      lines.push(words);
      words = [];
      i++;
    } else if (c === " ") {
      i++;
    } else if (c === "(") {
      // ('literal' + $(if ...)): one argument made of pieces.
      i++;
      let value = piece();
      while (command.startsWith(" + ", i)) {
        i += 3;
        value += piece();
      }
      expect(command[i]).toBe(")");
      i++;
      words.push(value);
    } else if (c === "$" || QUOTES.has(c)) {
      words.push(piece());
    } else {
      let j = i;
      while (j < command.length && command[j] !== " " && command[j] !== "\n") j++;
      const bare = command.slice(i, j);
      expect(bare, `bare word ${bare}`).not.toMatch(POWERSHELL_SPECIAL);
      expect(bare, `bare word ${bare} would be read as a number`).not.toMatch(/^[0-9.]/);
      expect(bare, `bare word ${bare} would be split by PowerShell`).not.toMatch(/^-.*[.:]/);
      words.push(bare);
      i = j;
    }
    if (c !== " " && c !== "\n" && i < command.length) expect(" \n", `after a word at ${i} in ${command}`).toContain(command[i]);
  }
  lines.push(words);
  return lines;
}

const cluster = { name: "prod-aks", subscriptionId: "sub-1", resourceGroup: "rg" } as AksCluster;

const HOSTILE = [
  "$(touch /tmp/pwned)",
  "`calc`",
  "a; Remove-Item -Recurse C:\\",
  "it's",
  "\u2018; calc; \u2019",
  "\u201A\u201B'\u2019\u2018",
  "line one\nline two",
  "--%",
  "-a.b",
  "1e5",
  "@splat",
  "a,b",
  "#comment",
  '"double" $env:PATH',
  "",
];

describe("remediation commands for PowerShell", () => {
  it("leaves plain names readable and quotes the rest", () => {
    expect(powershellQuote("orders-sa")).toBe("orders-sa");
    expect(powershellQuote("/subscriptions/abc/resourceGroups/rg")).toBe("/subscriptions/abc/resourceGroups/rg");
    expect(powershellQuote("it's")).toBe("'it''s'");
    expect(powershellQuote("a\u2019b")).toBe("'a\u2019\u2019b'");
    expect(powershellQuote("1e5")).toBe("'1e5'");
    expect(powershellQuote("")).toBe("''");
  });

  it("passes every hostile value as one literal argument, the same one bash passes", () => {
    for (const value of HOSTILE) {
      const bash = kubectl(cluster, `annotate serviceaccount --namespace ${shellQuote(value)} ${arg(value)} ${shellQuote(`k=${value}`)}`);
      const forms = commandForms(bash);
      expect(forms.powershell, value).toBeDefined();
      expect(powershellArguments(forms.powershell!)).toEqual(shellArguments(bash));
      expect(powershellArguments(forms.powershell!)[0]).toEqual(["kubectl", "--context", "prod-aks", "annotate", "serviceaccount", "--namespace", value, value, `k=${value}`]);
    }
  });

  it("reads back any value, placeholders included, as bash does", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }).filter((s) => !s.includes("\0")), fc.string({ unit: "grapheme" }), (a, b) => {
        const bash = `${kubectl(cluster, `label namespace ${shellQuote(a)} ${shellQuote(`x=${b}`)}`)}\n${kubectl(cluster, `annotate sa ${shellQuote(`k=`)}${arg(PLACEHOLDER)} ${shellQuote(b)}`)}`;
        const forms = commandForms(bash);
        expect(powershellArguments(forms.powershell!)).toEqual(shellArguments(bash));
      }),
      { numRuns: 100 },
    );
  });

  it("stops on an unset placeholder, with its hint, like bash's ${NAME:?hint}", () => {
    const forms = commandForms(kubectl(cluster, `annotate sa orders ${shellQuote("azure.workload.identity/client-id=")}${arg(PLACEHOLDER)}`));
    expect(forms.powershell).toBe(
      "kubectl --context prod-aks annotate sa orders ('azure.workload.identity/client-id=' + $(if ($CLIENT_ID) { $CLIENT_ID } else { throw 'set CLIENT_ID to the client id of the scanner''s identity' }))",
    );
  });

  it("gives no PowerShell form to an az command whose arguments cmd.exe would interpret on Windows", () => {
    const withAmpersand = commandForms(`az aks show --resource-group ${shellQuote("rg&calc")} --name x`);
    expect(withAmpersand.powershell).toBeUndefined();
    expect(withAmpersand.powershellWithheld).toContain("az.cmd");
    const appCredential = commandForms(
      createCredential({ kind: "app-registration", clientId: "00000000-0000-0000-0000-000000000001" } as never, { name: "n", issuer: "https://issuer/", subject: "system:serviceaccount:a:b" }),
    );
    expect(appCredential.powershell).toBeUndefined();
    // kubectl is a real executable: a JSON patch passes through PowerShell 7.3+ unchanged.
    expect(commandForms(kubectl(cluster, `patch deployment api --patch ${shellQuote('{"a":"b&c"}')}`)).powershell).toBe(
      `kubectl --context prod-aks patch deployment api --patch '{"a":"b&c"}'`,
    );
  });

  it("gives no PowerShell form to shell syntax the checks do not write", () => {
    for (const bash of ["kubectl get pods | grep x", "kubectl get $(whoami)", "kubectl get pods; rm -rf /", 'echo "$HOME"']) {
      const forms = commandForms(bash);
      expect(forms.powershell, bash).toBeUndefined();
      expect(forms.bash).toBe(bash);
    }
  });
});
