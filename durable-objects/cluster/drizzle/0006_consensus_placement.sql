CREATE TABLE `placement_rounds` (
	`replica` text NOT NULL,
	`round` integer NOT NULL,
	`workload` text NOT NULL,
	`node` text NOT NULL,
	`spec_hash` text NOT NULL,
	`spec_version` integer NOT NULL,
	`status` text NOT NULL,
	`proposal` text NOT NULL,
	`approvals` text DEFAULT '[]' NOT NULL,
	`refusals` text DEFAULT '[]' NOT NULL,
	`proposed_at` text NOT NULL,
	`committed_at` text,
	`retry_at` integer,
	PRIMARY KEY(`replica`, `round`)
);
--> statement-breakpoint
CREATE INDEX `placement_rounds_workload` ON `placement_rounds` (`workload`);--> statement-breakpoint
CREATE INDEX `placement_rounds_status` ON `placement_rounds` (`status`);--> statement-breakpoint
CREATE TABLE `signed_heartbeats` (
	`node` text PRIMARY KEY NOT NULL,
	`request` text NOT NULL,
	`at` integer NOT NULL
);
