import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./domain/ledger/schema.ts",
  out: "./migrations",
});
