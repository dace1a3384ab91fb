CREATE TABLE `challenges` (
	`challenge` text PRIMARY KEY NOT NULL,
	`did` text,
	`expires_ms` integer NOT NULL,
	`used` integer DEFAULT 0 NOT NULL
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
