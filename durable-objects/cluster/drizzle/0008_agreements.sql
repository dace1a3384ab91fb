CREATE TABLE `agreement_versions` (
	`name` text NOT NULL,
	`version` integer NOT NULL,
	`hash` text NOT NULL,
	`type` text NOT NULL,
	`documents` text NOT NULL,
	`compiled` text NOT NULL,
	`author` text NOT NULL,
	`created_at` text NOT NULL,
	`cause` text NOT NULL,
	PRIMARY KEY(`name`, `version`)
);
--> statement-breakpoint
CREATE TABLE `agreements` (
	`name` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`version` integer NOT NULL,
	`status` text NOT NULL,
	`owned` text NOT NULL,
	`pending` text DEFAULT '[]' NOT NULL,
	`current_wave` text DEFAULT '[]' NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` text NOT NULL
);
