CREATE TABLE `versions` (
	`version` integer PRIMARY KEY NOT NULL,
	`body` text NOT NULL
);
--> statement-breakpoint
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
--> statement-breakpoint
CREATE TABLE `audit` (
	`seq` integer PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`event` text NOT NULL,
	`idempotency_key` text,
	`body` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_hash_unique` ON `audit` (`hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `audit_idempotency_key_unique` ON `audit` (`idempotency_key`);