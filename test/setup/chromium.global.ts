/**
 * Unpacks @sparticuz/chromium's browser once, before any test file runs: each
 * file is its own process, and two of them unpacking into the same /tmp path
 * at once could run a half-written binary.
 */
import sparticuz from "@sparticuz/chromium";

export default async function setup(): Promise<void> {
  await sparticuz.executablePath();
}
