/** jq-web 0.6.2 ships no types: its CommonJS export is a promise of the compiled jq. */
declare module "jq-web" {
  interface CompiledJq {
    /** `echo <input> | jq <flags> <filter>`: stdout without its last newline (undefined when empty); throws an Error with exitCode and stderr when jq exits non-zero. */
    raw(input: string, filter: string, flags?: string[]): string | undefined;
  }
  const jq: Promise<CompiledJq>;
  export default jq;
}
