import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./durable-objects/nonce/schema.ts",
  out: "./durable-objects/nonce/drizzle",
});
