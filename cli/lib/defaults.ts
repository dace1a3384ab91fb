// Kept apart from context.ts so that `enc help` does not load the API client just for this URL.
export const DEFAULT_URL = "http://127.0.0.1:8787";
