CREATE TABLE `events` (
	`id` integer PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`node` text NOT NULL,
	`workload` text NOT NULL,
	`replica` text NOT NULL,
	`container` text,
	`kind` text NOT NULL,
	`reason` text
);
--> statement-breakpoint
CREATE INDEX `events_workload` ON `events` (`workload`,`id`);--> statement-breakpoint
ALTER TABLE `replicas` ADD `backoff` text;