import { MailError } from "./errors.js";

/**
 * Loads a package that only the mail path needs, so that a deployment without
 * mail never loads it and a missing install says which package to add instead
 * of failing with a bare module-not-found deep in a send.
 */
export async function loadMailPackage<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    if (isModuleNotFound(error)) {
      throw new MailError("not-installed", `the package ${name} is not installed; add it to package.json dependencies (see docs/digest.md)`, { cause: error });
    }
    throw error;
  }
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND";
}
