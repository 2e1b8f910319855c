import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Integration tests start real servers (simulator, Azurite, SMTP); forks keep
    // each file's sockets and TLS trust isolated from the others.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One in-memory Azurite for the run; files reach it with inject("azuriteTables").
    globalSetup: ["test/setup/azurite.global.ts", "test/setup/chromium.global.ts"],
  },
});
