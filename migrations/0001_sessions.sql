CREATE TABLE `login_attempts` (
	`key` text PRIMARY KEY NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `login_attempts_window_start_idx` ON `login_attempts` (`window_start`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`user_agent` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_id_created_at_idx` ON `sessions` (`user_id`,`created_at`);--> statement-breakpoint
-- Hand-edited: drizzle-kit emitted "ALTER TABLE refresh_tokens ADD session_id text NOT NULL", which
-- SQLite refuses for a table with rows. The table is rebuilt instead, and every refresh token issued
-- before this migration gets a session of its own (a random UUID v4), so those tokens keep working.
-- Foreign keys are checked at commit, after the sessions exist (D1's documented way).
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
CREATE TABLE `__new_refresh_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`user_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`session_id` text NOT NULL,
	`consumed_at` integer,
	`rotation_nonce` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_refresh_tokens` (`token_hash`, `created_at`, `updated_at`, `user_id`, `expires_at`, `revoked_at`, `session_id`)
	SELECT `token_hash`, `created_at`, `updated_at`, `user_id`, `expires_at`, `revoked_at`,
		lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))
	FROM `refresh_tokens`;--> statement-breakpoint
INSERT INTO `sessions` (`id`, `user_id`, `created_at`, `last_used_at`, `expires_at`, `revoked_at`, `user_agent`)
	SELECT `session_id`, `user_id`, `created_at`, `updated_at`, `expires_at`, `revoked_at`, NULL FROM `__new_refresh_tokens`;--> statement-breakpoint
DROP TABLE `refresh_tokens`;--> statement-breakpoint
ALTER TABLE `__new_refresh_tokens` RENAME TO `refresh_tokens`;--> statement-breakpoint
CREATE INDEX `refresh_tokens_user_id_idx` ON `refresh_tokens` (`user_id`);--> statement-breakpoint
CREATE INDEX `refresh_tokens_session_id_idx` ON `refresh_tokens` (`session_id`);--> statement-breakpoint
PRAGMA defer_foreign_keys = off;
