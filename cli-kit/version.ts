// The package's version, for `--version`. The build inlines package.json (esbuild bundles the
// JSON import), so printing it reads no file at run time.
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
