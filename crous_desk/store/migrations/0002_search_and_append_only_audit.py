"""Full-text search over reservations, and an audit log that refuses UPDATE and DELETE."""

from peewee import SqliteDatabase


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        # unicode61 with diacritics removed: "helene" finds "Hélène"; "-" and "@" split tokens.
        db.execute_sql(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "body, reservation_id UNINDEXED, residence_id UNINDEXED, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        db.execute_sql(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )
        db.execute_sql(
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
        )


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
        db.execute_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
        db.execute_sql("DROP TABLE IF EXISTS search_index")
