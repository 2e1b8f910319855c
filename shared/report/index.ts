export { formatFindingsTable } from "./table.js";
export { renderHtmlReport } from "./html-report.js";
export { toScanReport, scanReportSchema, scanReportJsonSchema, SCAN_REPORT_SCHEMA_VERSION, type ScanReport } from "./json-report.js";
export { sortFindings, compareFindings, findingLocation } from "./finding-order.js";
