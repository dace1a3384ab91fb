CREATE TABLE `audit_entries` (
	`hash` text PRIMARY KEY NOT NULL,
	`cluster` text NOT NULL,
	`seq` integer NOT NULL,
	`ts` text NOT NULL,
	`event` text NOT NULL,
	`actor` text NOT NULL,
	`subject` text NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_cluster_seq` ON `audit_entries` (`cluster`,`seq`);--> statement-breakpoint
CREATE TABLE `blocks` (
	`cluster` text NOT NULL,
	`app` text NOT NULL,
	`height` integer NOT NULL,
	`hash` text NOT NULL,
	`prev` text NOT NULL,
	`merkle_root` text NOT NULL,
	`count` integer NOT NULL,
	`body` text NOT NULL,
	PRIMARY KEY(`cluster`, `app`, `height`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `blocks_hash` ON `blocks` (`hash`);--> statement-breakpoint
CREATE TABLE `receipts` (
	`hash` text PRIMARY KEY NOT NULL,
	`cluster` text NOT NULL,
	`app` text NOT NULL,
	`node` text NOT NULL,
	`container` text NOT NULL,
	`op` text NOT NULL,
	`ts` text NOT NULL,
	`prev_hash` text NOT NULL,
	`body` text NOT NULL,
	`block_height` integer,
	`leaf_index` integer
);
--> statement-breakpoint
CREATE INDEX `receipts_block` ON `receipts` (`cluster`,`app`,`block_height`,`leaf_index`);--> statement-breakpoint
CREATE INDEX `receipts_container` ON `receipts` (`cluster`,`app`,`container`);