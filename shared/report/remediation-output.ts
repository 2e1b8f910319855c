/**
 * A finding's remediation as the outputs show it: the command for bash, said
 * to be for bash, and its PowerShell 7.3+ form or why there is none
 * (checks/command-forms.ts). Every writer that shows a command goes through here.
 */
import { commandForms, SHELL_LABELS, type CommandForms } from "../checks/command-forms.js";
import type { Remediation } from "../findings/model.js";

export { SHELL_LABELS };

export interface RemediationOutput {
  text: string;
  /** For bash or another POSIX shell (`shell` says so). */
  command?: string;
  shell?: "bash";
  powershellCommand?: string;
  powershellWithheld?: string;
}

export function remediationOutput(remediation: Remediation): RemediationOutput {
  if (remediation.command === undefined) return { text: remediation.text };
  const forms = commandForms(remediation.command);
  return {
    text: remediation.text,
    command: forms.bash,
    shell: "bash",
    ...(forms.powershell !== undefined && { powershellCommand: forms.powershell }),
    ...(forms.powershellWithheld !== undefined && { powershellWithheld: forms.powershellWithheld }),
  };
}

/** The forms of a finding's command, or undefined when it has none. */
export function commandsOf(remediation: Remediation): CommandForms | undefined {
  return remediation.command === undefined ? undefined : commandForms(remediation.command);
}

/** Names of the four command fields in a format's own spelling (SARIF properties, OCSF unmapped). */
export interface CommandFieldNames {
  command: string;
  shell: string;
  powershell: string;
  withheld: string;
}

/** The command for bash, labelled, and its PowerShell 7.3+ form or why there is none, under the format's field names. */
export function commandFields(remediation: Remediation, names: CommandFieldNames): Record<string, string> {
  const forms = commandsOf(remediation);
  if (forms === undefined) return {};
  return {
    [names.command]: forms.bash,
    [names.shell]: "bash",
    ...(forms.powershell !== undefined && { [names.powershell]: forms.powershell }),
    ...(forms.powershellWithheld !== undefined && { [names.withheld]: forms.powershellWithheld }),
  };
}

/** Plain-text lines, each labelled with its shell, for outputs that are read rather than parsed. */
export function labelledCommandLines(remediation: Remediation): string[] {
  const forms = commandsOf(remediation);
  if (forms === undefined) return [];
  return [
    `command (${SHELL_LABELS.bash}): ${forms.bash}`,
    forms.powershell !== undefined
      ? `command (${SHELL_LABELS.powershell}): ${forms.powershell}`
      : `command (${SHELL_LABELS.powershell}): none: ${forms.powershellWithheld ?? ""}`,
  ];
}
