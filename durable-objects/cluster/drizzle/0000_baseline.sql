CREATE TABLE `join_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`used_by` text
);
--> statement-breakpoint
CREATE TABLE `logs` (
	`replica` text NOT NULL,
	`stream` text NOT NULL,
	`offset` integer NOT NULL,
	`data` blob NOT NULL,
	PRIMARY KEY(`replica`, `stream`, `offset`)
);
--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `nodes` (
	`address` text PRIMARY KEY NOT NULL,
	`node_type` text NOT NULL,
	`endpoint` text NOT NULL,
	`capabilities` text NOT NULL,
	`labels` text NOT NULL,
	`zone` text,
	`status` text NOT NULL,
	`joined_at` text NOT NULL,
	`last_heartbeat` integer,
	`usage` text
);
--> statement-breakpoint
CREATE TABLE `replays` (
	`id` text PRIMARY KEY NOT NULL,
	`node` text NOT NULL,
	`receipt` text NOT NULL,
	`app` text NOT NULL,
	`status` text NOT NULL,
	`verdict` text,
	`replay_receipt` text,
	`detail` text,
	`requested_by` text NOT NULL,
	`requested_at` text NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE TABLE `replicas` (
	`id` text PRIMARY KEY NOT NULL,
	`workload` text NOT NULL,
	`replica_type` text DEFAULT 'primary' NOT NULL,
	`node` text,
	`status` text NOT NULL,
	`container` text NOT NULL,
	`endpoint` text,
	`exit_code` integer,
	`restarts` integer DEFAULT 0 NOT NULL,
	`reason` text,
	`cpu_millis` integer NOT NULL,
	`memory_mb` integer NOT NULL,
	`storage_gb` real NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`healthy` integer,
	`spec_version` integer DEFAULT 1 NOT NULL,
	`cpu_percent` real
);
--> statement-breakpoint
CREATE INDEX `replicas_node` ON `replicas` (`node`);--> statement-breakpoint
CREATE INDEX `replicas_workload` ON `replicas` (`workload`);--> statement-breakpoint
CREATE TABLE `roles` (
	`address` text PRIMARY KEY NOT NULL,
	`role` text NOT NULL,
	`granted_by` text NOT NULL,
	`granted_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `scale_history` (
	`workload` text NOT NULL,
	`at` integer NOT NULL,
	`desired` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `workload_specs` (
	`name` text NOT NULL,
	`version` integer NOT NULL,
	`spec` text NOT NULL,
	PRIMARY KEY(`name`, `version`)
);
--> statement-breakpoint
CREATE TABLE `workloads` (
	`name` text PRIMARY KEY NOT NULL,
	`spec` text NOT NULL,
	`version` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`next_replica` integer DEFAULT 0 NOT NULL
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