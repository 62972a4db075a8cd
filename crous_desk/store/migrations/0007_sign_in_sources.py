"""Failed sign-ins counted per account *and per source* (a terminal, an SSH client): whoever
types wrong passphrases makes their own terminal wait, never the account's owner elsewhere."""

from peewee import *


def up(migrator, db):
    class SignInFailure(Model):
        staff_id = IntegerField()
        source = CharField()
        failures = IntegerField(default=0)
        wait_until = TextField(null=True)

        class Meta:
            database = db
            table_name = "sign_in_failure"
            indexes = ((("staff_id", "source"), True),)

    db.create_tables([SignInFailure])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "sign_in_failure"')
