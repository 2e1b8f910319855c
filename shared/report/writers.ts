/**
 * The one writer seam (trivy's report.Write, as a mapped type): every format
 * in OUTPUT_FORMATS has a writer here, or this file does not compile.
 */
import { findingsCsv } from "./csv.js";
import type { OutputFormat } from "./formats.js";
import { toScanReport } from "./json-report.js";
import { junitWriter } from "./junit.js";
import type { ReportInput, Writer } from "./model.js";
import { ocsfWriter } from "./ocsf.js";
import { remediationOutput } from "./remediation-output.js";
import { sarifWriter } from "./sarif.js";
import { formatFindingsTable } from "./table.js";

export const WRITERS: { readonly [F in OutputFormat]: Writer } = {
  table: {
    mediaType: "text/plain; charset=utf-8",
    extension: "txt",
    write: (input) => formatFindingsTable(input.findings, input.width ?? 160, input.color ?? false),
  },
  json: {
    mediaType: "application/json",
    extension: "json",
    // A scan: the versioned report of docs/json-output.md; stored findings: { findings } as GET /api/findings.
    write: (input) =>
      JSON.stringify(
        input.scan !== undefined
          ? toScanReport(input.scan, input.findings, input.toolVersion)
          : { findings: input.findings.map((f) => ({ ...f, remediation: remediationOutput(f.remediation) })) },
        null,
        2,
      ) + "\n",
  },
  csv: { mediaType: "text/csv; charset=utf-8", extension: "csv", write: (input) => findingsCsv(input.findings) },
  sarif: sarifWriter,
  junit: junitWriter,
  ocsf: ocsfWriter,
};

export function writeReport(format: OutputFormat, input: ReportInput): string {
  return WRITERS[format].write(input);
}
