DROP INDEX `receipts_pending_age`;--> statement-breakpoint
DROP INDEX `receipts_pending`;--> statement-breakpoint
DROP INDEX `receipts_tlog`;--> statement-breakpoint
CREATE INDEX `receipts_pending` ON `receipts` (`seq`) WHERE block_height IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `receipts_tlog` ON `receipts` (`tlog_index`) WHERE tlog_index IS NOT NULL;