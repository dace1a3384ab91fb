// bin/ runs the built JavaScript in dist/ (made by `npm run build`, which `npm install` runs
// through `prepare`), so a command starts without compiling TypeScript.
export async function loadBuilt(name) {
  try {
    return await import(`../dist/${name}.mjs`);
  } catch (err) {
    if (err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes(`dist/${name}.mjs`)) {
      process.stderr.write(`${name}: dist/${name}.mjs is missing: run \`npm run build\` (or \`npm install\`) in ${new URL("..", import.meta.url).pathname}\n`);
      process.exit(1);
    }
    throw err;
  }
}
