ALTER TABLE `replicas` ADD `retire_at` integer;--> statement-breakpoint
ALTER TABLE `replicas` ADD `stop_grace_s` integer;--> statement-breakpoint
ALTER TABLE `replicas` ADD `stopping` integer;--> statement-breakpoint
ALTER TABLE `workload_specs` ADD `created_at` text;--> statement-breakpoint
ALTER TABLE `workload_specs` ADD `created_by` text;--> statement-breakpoint
ALTER TABLE `workload_specs` ADD `cause` text;--> statement-breakpoint
ALTER TABLE `workloads` ADD `rollout` text;--> statement-breakpoint
ALTER TABLE `workloads` ADD `deleting` integer;