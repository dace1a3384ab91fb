// An agent journals its events and resends, after a restart, those it had not seen accepted: some
// may have reached the control plane already. Each carries a per-node increasing `seq`, and the
// control plane keeps the newest it recorded per node, so a resent event is recorded once.

/** The events of `list` newer than `mark` (events without a seq, from older agents, all pass), and the new mark. */
export function unseenEvents<E extends { seq?: number }>(list: readonly E[], mark: number): { fresh: E[]; mark: number } {
  let top = mark;
  const fresh = list.filter((e) => {
    if (e.seq === undefined) return true;
    if (e.seq <= top) return false;
    top = e.seq;
    return true;
  });
  return { fresh, mark: top };
}
