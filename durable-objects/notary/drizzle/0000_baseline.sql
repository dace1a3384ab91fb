CREATE TABLE `blocks` (
	`height` integer PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `blocks_hash_unique` ON `blocks` (`hash`);--> statement-breakpoint
CREATE TABLE `deliveries` (
	`key` text PRIMARY KEY NOT NULL,
	`payload` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `receipts` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`hash` text NOT NULL,
	`node` text NOT NULL,
	`container` text NOT NULL,
	`prev_hash` text NOT NULL,
	`ts` text NOT NULL,
	`accepted_at` integer NOT NULL,
	`block_height` integer,
	`leaf_index` integer,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `receipts_hash_unique` ON `receipts` (`hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `receipts_chain` ON `receipts` (`node`,`container`,`prev_hash`);--> statement-breakpoint
CREATE INDEX `receipts_pending` ON `receipts` (`block_height`,`seq`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`payload` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `schedule` (
	`task` text PRIMARY KEY NOT NULL,
	`due_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL
);
