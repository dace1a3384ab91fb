// Types for the drizzle-kit generated migrations.js beside this file (regenerate with npm run db:generate:do).
import type { MigrationBundle } from "../../shared/migrate.ts";

declare const bundle: MigrationBundle;
export default bundle;
