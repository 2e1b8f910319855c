/**
 * A remediation command in the two shells people paste into: bash (any POSIX
 * shell), as the checks write it (commands.ts, shellQuote), and PowerShell 7.3
 * or later. One place for every output: the JSON, CSV, SARIF, OCSF and JUnit
 * writers, the HTML report and the digest all take their commands from here.
 *
 * The checks write a command once, in a small subset of POSIX shell: words of
 * bare characters, single-quoted text, `\'`, and our `"${NAME:?hint}"`
 * placeholders, one command a line. This module reads that back into words and
 * writes the same words for PowerShell. Anything outside the subset gets no
 * PowerShell form rather than a guess.
 */
import { powershellQuote, powershellString } from "./powershell-quote.js";

export type CommandShell = "bash" | "powershell";

/** What the outputs print beside a command. */
export const SHELL_LABELS: Record<CommandShell, string> = { bash: "bash", powershell: "PowerShell 7.3+" };

export interface CommandForms {
  /** For bash or another POSIX shell: the command as the check wrote it. */
  bash: string;
  /** For PowerShell 7.3 or later; absent when it cannot be written safely (see powershellWithheld). */
  powershell?: string;
  /** Why there is no PowerShell form. */
  powershellWithheld?: string;
}

/** A piece of a word: literal text, or a value the person must supply (commands.ts Placeholder). */
type Part = { text: string } | { variable: string; hint: string };
type Word = Part[];

/** Characters the checks may leave unquoted: what shellQuote leaves bare, and `=` in our own flags. */
const BASH_BARE = /[A-Za-z0-9_./:@%+,=-]/;
const PLACEHOLDER = /^"\$\{([A-Za-z_][A-Za-z0-9_]*):\?([^"$`\\}]*)\}"/;

/**
 * On Windows `az` is a batch file (az.cmd), and PowerShell hands a batch file's
 * arguments to cmd.exe, which parses them again: `&`, `|`, `<`, `>`, `^`, `%`,
 * `!`, parentheses and double quotes take effect there even inside PowerShell's
 * single quotes (azure-cli doc/quoting-issues-with-powershell.md;
 * PowerShell/PowerShell#15143). No PowerShell quoting survives that, so such a
 * command gets no PowerShell form.
 */
const CMD_EXE_SPECIAL = /["&|<>^%!()\u0000-\u001f\u007f]/;
const BATCH_FILE_PROGRAMS: ReadonlySet<string> = new Set(["az"]);

export function commandForms(bash: string): CommandForms {
  const commands = readCommands(bash);
  if (commands === undefined) return { bash, powershellWithheld: "the command uses shell syntax that has no safe PowerShell form" };
  for (const words of commands) {
    const program = literalOf(words[0]);
    if (program !== undefined && BATCH_FILE_PROGRAMS.has(program) && words.slice(1).some((w) => w.some((p) => "text" in p && CMD_EXE_SPECIAL.test(p.text)))) {
      return {
        bash,
        powershellWithheld: `${program} is a batch file on Windows (${program}.cmd) and an argument holds a character cmd.exe would interpret; run the bash form (bash, WSL or Azure Cloud Shell)`,
      };
    }
  }
  return { bash, powershell: commands.map((words) => words.map(powershellWord).join(" ")).join("\n") };
}

function literalOf(word: Word | undefined): string | undefined {
  if (word === undefined || word.length !== 1) return undefined;
  const [part] = word;
  return part !== undefined && "text" in part ? part.text : undefined;
}

/** The commands of a bash command text, one list of words per line; undefined outside the subset the checks write. */
export function readCommands(bash: string): Word[][] | undefined {
  const commands: Word[][] = [];
  let words: Word[] = [];
  let word: Word | undefined;
  const append = (part: Part) => {
    word ??= [];
    const last = word[word.length - 1];
    if ("text" in part && last !== undefined && "text" in last) last.text += part.text;
    else word.push(part);
  };
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  for (let i = 0; i < bash.length; ) {
    const c = bash[i]!;
    if (c === "\n") {
      endWord();
      if (words.length > 0) commands.push(words);
      words = [];
      i++;
    } else if (c === " ") {
      endWord();
      i++;
    } else if (c === "'") {
      const close = bash.indexOf("'", i + 1);
      if (close < 0) return undefined;
      append({ text: bash.slice(i + 1, close) });
      i = close + 1;
    } else if (c === "\\" && bash[i + 1] === "'") {
      append({ text: "'" });
      i += 2;
    } else if (c === '"') {
      const placeholder = PLACEHOLDER.exec(bash.slice(i));
      if (placeholder === null) return undefined;
      append({ variable: placeholder[1]!, hint: placeholder[2]! });
      i += placeholder[0].length;
    } else if (BASH_BARE.test(c)) {
      append({ text: c });
      i++;
    } else {
      return undefined;
    }
  }
  endWord();
  if (words.length > 0) commands.push(words);
  return commands;
}

/**
 * One word for PowerShell. A placeholder reads a PowerShell variable of the
 * same name and, like bash's `${NAME:?hint}`, stops the command with the hint
 * when it is unset or empty.
 */
function powershellWord(word: Word): string {
  const [only] = word;
  if (word.length === 1 && only !== undefined) return "text" in only ? powershellQuote(only.text) : required(only);
  // Several pieces make one argument only inside an expression: ('a=' + $(...)).
  return `(${word.map((part) => ("text" in part ? powershellString(part.text) : required(part))).join(" + ")})`;
}

function required(placeholder: { variable: string; hint: string }): string {
  const name = `$${placeholder.variable}`;
  return `$(if (${name}) { ${name} } else { throw ${powershellString(placeholder.hint)} })`;
}
