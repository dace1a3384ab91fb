import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./durable-objects/cluster/schema.ts",
  out: "./durable-objects/cluster/drizzle",
});
