// Fixture documents are imported as text (vite's ?raw), so workerd tests need no file system.
declare module "*.yaml?raw" {
  const text: string;
  export default text;
}
