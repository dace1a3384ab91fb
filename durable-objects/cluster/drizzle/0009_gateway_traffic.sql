CREATE TABLE `gateway_traffic` (
	`workload` text NOT NULL,
	`second` integer NOT NULL,
	`requests` integer NOT NULL,
	`errors` integer NOT NULL,
	`upstream_failures` integer NOT NULL,
	PRIMARY KEY(`workload`, `second`)
);
--> statement-breakpoint
CREATE INDEX `gateway_traffic_second` ON `gateway_traffic` (`second`);