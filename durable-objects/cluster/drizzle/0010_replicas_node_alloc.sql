DROP INDEX `replicas_node`;--> statement-breakpoint
CREATE INDEX `replicas_node_alloc` ON `replicas` (`node`,`cpu_millis`,`memory_mb`,`storage_gb`);