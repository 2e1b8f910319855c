/** Registers every activity of the fleet scan. */
import "./inventory.js";
import "./scan-cluster.js";
import "./fleet-checks.js";
import "./complete-scan.js";
import "./compare-scans.js";
import "./digest.js";
import "./cleanup.js";
