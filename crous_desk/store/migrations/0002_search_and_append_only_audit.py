"""Full-text search over reservations, and an audit log that refuses UPDATE and DELETE."""

from peewee import SqliteDatabase

# PostgreSQL: one function refuses, with the message the trigger gives it (TRUNCATE too, which
# skips row triggers there).
PG_REFUSE = (
    "CREATE OR REPLACE FUNCTION crous_desk_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'restrict_violation'; END $$"
)


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
    else:
        db.execute_sql(PG_REFUSE)
        for verb, each in (("update", "ROW"), ("delete", "ROW"), ("truncate", "STATEMENT")):
            db.execute_sql(
                f"CREATE TRIGGER audit_log_no_{verb} BEFORE {verb.upper()} ON audit_log "
                f"FOR EACH {each} EXECUTE FUNCTION crous_desk_refuse('the audit log is append-only')"
            )


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
        db.execute_sql("DROP TRIGGER IF EXISTS audit_log_no_delete")
        db.execute_sql("DROP TABLE IF EXISTS search_index")
    else:
        for verb in ("update", "delete", "truncate"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS audit_log_no_{verb} ON audit_log")
        db.execute_sql("DROP FUNCTION IF EXISTS crous_desk_refuse()")
