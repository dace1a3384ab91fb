CREATE TABLE `past_assignments` (
	`node` text NOT NULL,
	`replica` text NOT NULL,
	`workload` text NOT NULL,
	`ended_at` integer NOT NULL,
	PRIMARY KEY(`node`, `replica`)
);
--> statement-breakpoint
CREATE INDEX `past_assignments_node_ended` ON `past_assignments` (`node`,`ended_at`);