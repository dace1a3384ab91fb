CREATE TABLE `policies` (
	`name` text PRIMARY KEY NOT NULL,
	`expr` text NOT NULL,
	`action` text NOT NULL,
	`message` text NOT NULL,
	`match` text NOT NULL,
	`hash` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL
);
