DROP INDEX `receipts_pending`;--> statement-breakpoint
DROP INDEX `receipts_tlog`;--> statement-breakpoint
ALTER TABLE `blocks` ADD `first_seq` integer;--> statement-breakpoint
ALTER TABLE `blocks` ADD `last_seq` integer;--> statement-breakpoint
ALTER TABLE `blocks` ADD `tlog_start` integer;--> statement-breakpoint
-- Each block's seq range and first log index from its receipts' stored placement: a block took
-- the oldest pending receipts in seq order, so they are seq MIN..MAX, and its log entries follow
-- every earlier block's (the log, backfilled or not, numbers sealed receipts in block order).
UPDATE `blocks` SET `first_seq` = p.first, `last_seq` = p.last, `tlog_start` = p.start FROM (
	SELECT `block_height` AS h, MIN(`seq`) AS first, MAX(`seq`) AS last, SUM(COUNT(*)) OVER (ORDER BY `block_height`) - COUNT(*) AS start
	FROM `receipts` WHERE `block_height` IS NOT NULL GROUP BY `block_height`
) AS p WHERE `blocks`.`height` = p.h;--> statement-breakpoint
CREATE UNIQUE INDEX `blocks_last_seq` ON `blocks` (`last_seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `blocks_tlog_start` ON `blocks` (`tlog_start`);