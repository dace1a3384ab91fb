CREATE TABLE `nonces` (
	`nonce` text PRIMARY KEY NOT NULL,
	`forget_at` integer NOT NULL
);
