"""Failed sign-ins, per account and per source (crous_desk.people.auth)."""

from __future__ import annotations

from peewee import CharField, IntegerField

from crous_desk.store.fields import InstantField
from crous_desk.store.models import BaseModel


class SignInFailure(BaseModel):
    staff_id = IntegerField()
    source = CharField()  # "ssh:203.0.113.7", "tty:/dev/pts/3@desk-1", "local@desk-1"
    failures = IntegerField(default=0)
    wait_until = InstantField(null=True)

    class Meta:
        table_name = "sign_in_failure"
        indexes = ((("staff_id", "source"), True),)


class RetentionPass(BaseModel):
    """An acknowledged inspection the retention run is clearing (migration 0007c)."""

    inspection_id = IntegerField(primary_key=True)

    class Meta:
        table_name = "retention_pass"
