import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/ledger/schema.ts",
  out: "./migrations",
});
