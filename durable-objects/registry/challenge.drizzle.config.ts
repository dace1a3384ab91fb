import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./durable-objects/registry/challenge-schema.ts",
  out: "./durable-objects/registry/challenge-drizzle",
});
