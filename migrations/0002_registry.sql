CREATE TABLE `did_versions` (
	`did` text NOT NULL,
	`version` integer NOT NULL,
	`actor` text NOT NULL,
	`document` text NOT NULL,
	`deactivated` integer NOT NULL,
	`created` text NOT NULL,
	`updated` text NOT NULL,
	`audit_hash` text NOT NULL,
	PRIMARY KEY(`did`, `version`)
);
--> statement-breakpoint
CREATE INDEX `did_versions_updated` ON `did_versions` (`did`,`updated`);--> statement-breakpoint
CREATE TABLE `registry_hosts` (
	`host` text NOT NULL,
	`version` integer NOT NULL,
	`owner` text NOT NULL,
	`actor` text NOT NULL,
	`deleted` integer NOT NULL,
	`record` text,
	`ts` text NOT NULL,
	`audit_hash` text NOT NULL,
	PRIMARY KEY(`host`, `version`)
);
