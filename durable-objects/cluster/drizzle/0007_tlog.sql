CREATE TABLE `tlog_checkpoints` (
	`size` integer PRIMARY KEY NOT NULL,
	`note` text NOT NULL,
	`signed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `tlog_hashes` (
	`level` integer NOT NULL,
	`idx` integer NOT NULL,
	`hash` blob NOT NULL,
	PRIMARY KEY(`level`, `idx`)
);
