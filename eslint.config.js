import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { createNodeResolver, importX } from "eslint-plugin-import-x";

const root = import.meta.dirname;

// Every top-level folder of the project, and which of them each production layer may import.
// Arrows point one way: workers -> durable-objects -> domain -> protocol; cli and node-agent sit on
// protocol and the neutral cli-kit. Tests, benchmarks and scripts are not layers: they may import
// anything, and nothing in production may import them.
const FOLDERS = ["protocol", "domain", "durable-objects", "workers", "node-agent", "cli", "cli-kit", "test", "bench", "scripts"];
const MAY_IMPORT = {
  protocol: [],
  domain: ["protocol"],
  "durable-objects": ["domain", "protocol"],
  workers: ["durable-objects", "domain", "protocol"],
  cli: ["protocol", "cli-kit"],
  "node-agent": ["protocol", "cli-kit"],
  "cli-kit": [],
};
const LAYER_ZONES = Object.entries(MAY_IMPORT).map(([layer, allowed]) => ({
  target: `./${layer}`,
  from: FOLDERS.filter((f) => f !== layer && !allowed.includes(f)).map((f) => `./${f}`),
  message: `${layer}/ may import only ${allowed.length ? allowed.map((a) => `${a}/`).join(", ") : "its own files"} of the project.`,
}));
// One exception: a validator agent reruns the deterministic scheduler (pure code) to check a
// consensus placement proposal, so node-agent/ may import domain/scheduler/ and nothing else of domain/.
const agentZone = LAYER_ZONES.find((z) => z.target === "./node-agent");
agentZone.from = agentZone.from.filter((f) => f !== "./domain");
LAYER_ZONES.push({ target: "./node-agent", from: "./domain", except: ["./scheduler"], message: "node-agent/ may import of domain/ only the deterministic scheduler (domain/scheduler/)." });

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", ".wrangler/", ".enc-local/", "coverage/", "worker-configuration.d.ts"] },
  js.configs.recommended,
  // Syntax-only rules: the type-checked presets would parse the whole program per run, and the
  // 2-core CI box already pays for `tsc` in the same `npm test`.
  tseslint.configs.recommended,
  {
    plugins: { "import-x": importX },
    settings: {
      // Imports name their `.ts` files (allowImportingTsExtensions), so plain node resolution finds them.
      "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".tsx", ".js", ".mjs", ".d.ts"] })],
      // Without these, import-x does not read imported `.ts` files and no-cycle sees no edges.
      "import-x/extensions": [".ts", ".tsx", ".js", ".mjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import-x/external-module-folders": ["node_modules", "node_modules/@types"],
    },
    rules: {
      // A cycle cannot pass through node_modules, and reading those packages was 90% of lint time.
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-restricted-paths": ["error", { basePath: root, zones: LAYER_ZONES }],
      // The codebase casts through `any` at a few wire and SQL boundaries; rewriting those is the
      // protocol/drizzle work of issue 9, not a lint sweep.
      "@typescript-eslint/no-explicit-any": "off",
      // `_`-prefixed names are deliberate placeholders (destructuring away a field, unused params).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
      // It flags `let data = null; try { data = parse() } catch { data = fallback }`, the shape of
      // every parse boundary here; rewriting them all is churn without a bug behind it.
      "no-useless-assignment": "off",
      // TypeScript itself reports undefined names, with the real globals of both runtimes.
      "no-undef": "off",
    },
  },
  {
    // Zod objects kept only for `z.infer` (signing-input types); the rule cannot tell that use.
    files: ["protocol/schemas.ts"],
    rules: { "@typescript-eslint/no-unused-vars": "off" },
  },
);
