ALTER TABLE `logs` ADD `at` integer;--> statement-breakpoint
ALTER TABLE `logs` ADD `container` text;--> statement-breakpoint
ALTER TABLE `replicas` ADD `restarts_seen` integer DEFAULT 0 NOT NULL;