CREATE TABLE `known_networks` (
	`user_id` text NOT NULL,
	`network` text NOT NULL,
	`last_login_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `network`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `known_networks_last_login_at_idx` ON `known_networks` (`last_login_at`);--> statement-breakpoint
CREATE INDEX `sessions_user_id_last_used_at_idx` ON `sessions` (`user_id`,`last_used_at`,`created_at`);