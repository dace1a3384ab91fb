/** Placeholder wiring until the agent lands: reports why no local node runs. */
export async function startLocalNode(_url: string): Promise<{ cluster: string; stop(): Promise<void> } | null> {
  return null;
}
