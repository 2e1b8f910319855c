/** Documented in the README ("CLI exit codes"); scripts depend on them, so never renumber. */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  noCredential: 3,
  nothingToScan: 4,
  findingsAtThreshold: 5,
  /** `wiscan digest --resend`: a digest could not be sent (it stays stored). */
  notDelivered: 6,
  /** `wiscan scan --min-coverage` / `--fail-on-incomplete`: the scan did not evaluate enough to vouch for the result. */
  incomplete: 7,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}
