"""The database: the models, instants stored in UTC, opening and migrating a file, the
search index, and the audit chain (append-only, each entry hashed with the one before)."""
