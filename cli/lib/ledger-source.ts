// The ledger as the public API serves it, in the shapes protocol/ledger-verify.ts reads.
import type { NotaryStats } from "../../protocol/api/notary.ts";
import type { ApiClient } from "../../protocol/api-client.ts";
import type { AppLedgerSource } from "../../protocol/ledger-verify.ts";
import { routes } from "../../protocol/routes.ts";
import type { AuditEntry, LogBlock, StepReceipt } from "../../protocol/schemas.ts";

export function apiLedgerSource(api: ApiClient, cluster: string, app: string): AppLedgerSource {
  return {
    async blocks(fromHeight, limit) {
      return (await api.get<{ blocks: LogBlock[] }>(`${routes.blocks(cluster, app)}?from_height=${fromHeight}&limit=${limit}`)).blocks;
    },
    async blockReceipts(height) {
      return (await api.get<{ receipts: StepReceipt[] }>(routes.blockReceipts(cluster, app, height))).receipts;
    },
  };
}

export function notaryStats(api: ApiClient, cluster: string, app: string): Promise<NotaryStats> {
  return api.get<NotaryStats>(routes.notary(cluster, app));
}

const AUDIT_PAGE = 1000;

/** Every audit entry from `fromSeq` on, page by page (the route caps a page at 1000). */
export async function allAuditEntries(api: ApiClient, cluster: string, onPage?: (n: number) => void): Promise<AuditEntry[]> {
  const all: AuditEntry[] = [];
  for (let from = 1; ; ) {
    const { entries } = await api.get<{ entries: AuditEntry[] }>(`${routes.audit(cluster)}?from_seq=${from}&limit=${AUDIT_PAGE}`);
    if (entries.length === 0) return all;
    all.push(...entries);
    onPage?.(all.length);
    // Follow seq, not counts: a gap must not make the loop refetch or stop early.
    from = entries[entries.length - 1].seq + 1;
    if (entries.length < AUDIT_PAGE) return all;
  }
}
