-- The ledger is append-only: signed rows never change once written. Only a receipt's block
-- assignment may be filled in, once, when its LogBlock is sealed.
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER blocks_no_update BEFORE UPDATE ON blocks
BEGIN SELECT RAISE(ABORT, 'blocks is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER blocks_no_delete BEFORE DELETE ON blocks
BEGIN SELECT RAISE(ABORT, 'blocks is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER receipts_no_delete BEFORE DELETE ON receipts
BEGIN SELECT RAISE(ABORT, 'receipts is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER receipts_body_frozen BEFORE UPDATE OF hash, cluster, app, node, container, op, ts, prev_hash, body ON receipts
BEGIN SELECT RAISE(ABORT, 'receipts is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER receipts_block_once BEFORE UPDATE OF block_height, leaf_index ON receipts
WHEN OLD.block_height IS NOT NULL AND (NEW.block_height IS NOT OLD.block_height OR NEW.leaf_index IS NOT OLD.leaf_index)
BEGIN SELECT RAISE(ABORT, 'a receipt belongs to one block'); END;
