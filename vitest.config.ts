import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests start real servers (simulator, Azurite, SMTP); forks keep
    // each file's sockets and TLS trust isolated from the others.
    pool: "forks",
    // Vitest's default is one worker fewer than the cores: ONE on a 2-core machine,
    // where the suite then ran file after file with a core idle whenever a file waited
    // on a child process, a server or a timer. Files keep apart (own temp dirs, ports,
    // table prefixes), so at least two run at once (docs/testing.md, "Workers").
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One in-memory Azurite for the run; files reach it with inject("azuriteTables").
    globalSetup: ["test/setup/azurite.global.ts", "test/setup/chromium.global.ts"],
  },
});
