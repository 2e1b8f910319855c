/** CSV moved to the report writers (shared/report/csv.ts); the store's API and the findings endpoint keep importing it from here. */
export { CSV_COLUMNS, csvCell, csvHeader, csvRows, findingsCsv } from "../report/csv.js";
