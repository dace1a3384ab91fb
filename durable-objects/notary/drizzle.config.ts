import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./durable-objects/notary/schema.ts",
  out: "./durable-objects/notary/drizzle",
});
