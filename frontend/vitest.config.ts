import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Same clock and language on every machine.
    env: { TZ: "UTC" },
  },
});
