import { defineConfig } from "vitest/config";

// The browser suite: real backend + built SPA + Debian's Chromium (see e2e/README in admin/README.md).
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    testTimeout: 90_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
