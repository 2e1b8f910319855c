import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { scanReportJsonSchema } from "../../shared/report/index.js";

describe("the published JSON schema", () => {
  it("matches the definition the CLI validates against (regenerate docs/scan-report.v1.schema.json when this fails)", () => {
    const published = JSON.parse(readFileSync("docs/scan-report.v1.schema.json", "utf8")) as unknown;
    expect(published).toEqual(scanReportJsonSchema());
  });
});
