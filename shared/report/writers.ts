/**
 * The one writer seam (trivy's report.Write, as a mapped type): every format
 * in OUTPUT_FORMATS has a writer here, or this file does not compile.
 */
import { findingsCsv, subscriptionNameOf } from "./csv.js";
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
          : { findings: input.findings.map((f) => withSubscriptionName({ ...f, remediation: remediationOutput(f.remediation) }, namesOf(input))) },
        null,
        2,
      ) + "\n",
  },
  csv: { mediaType: "text/csv; charset=utf-8", extension: "csv", write: (input) => findingsCsv(input.findings, namesOf(input)) },
  sarif: sarifWriter,
  junit: junitWriter,
  ocsf: ocsfWriter,
};

/** The names a report may show: those given for stored findings, else the scan's own. */
function namesOf(input: ReportInput): Readonly<Record<string, string>> {
  return input.subscriptionNames ?? input.scan?.subscriptionNames ?? {};
}

/** A stored finding with its subscription's display name beside the id, when one is known (an added property: readers of the old shape ignore it). */
export function withSubscriptionName<F extends { resource: { subscriptionId?: string } }>(f: F, names: Readonly<Record<string, string>>): F & { subscriptionName?: string } {
  const name = subscriptionNameOf(f.resource.subscriptionId, names);
  return name === undefined ? f : { ...f, subscriptionName: name };
}

export function writeReport(format: OutputFormat, input: ReportInput): string {
  return WRITERS[format].write(input);
}
