import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: ["functions/**/*.test.ts", "orchestrator/**/*.test.ts", "durable/**/*.test.ts"],
          exclude: ["**/*.worker.test.ts", "node_modules/**"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
    coverage: {
      provider: "v8",
      include: ["functions/**/*.ts", "durable/**/*.ts", "orchestrator/**/*.ts"],
      exclude: ["**/*.test.ts", "**/testing/**"],
    },
  },
});
