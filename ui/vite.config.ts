/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The desktop shell loads ui/dist (built) or this dev server on 1420.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: { port: 1420, strictPort: true, host: "127.0.0.1" },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  test: {
    environment: "jsdom",
    // Dates in tests are read in UTC whatever the machine's zone.
    env: { TZ: "UTC" },
    setupFiles: ["./tests/setup.ts"],
    include: ["tests/**/*.test.{ts,tsx}"],
  },
});
