"""Keys: where every set is and who held it (:mod:`.inventory`), the first handover
(:mod:`.handover`) and the desk's other actions on sets (:mod:`.actions`).

Scripts import these names from ``crous_desk.keys``; they stay here.
"""

from crous_desk.keys.actions import (
    LostKey,
    add_key_set,
    declare_lost,
    lend,
    lost_charge_cents,
    move_set,
    next_label,
    reissue,
    retire,
    return_set,
    take_back,
)
from crous_desk.keys.handover import hand_over_keys, set_to_hand_over
from crous_desk.keys.inventory import (
    KeyLogRow,
    KeyOut,
    KeySetRow,
    closing_check,
    inventory,
    key_log,
    key_log_for,
    keys_to_return,
    open_loans,
    rooms_in_scope,
    tenants_without_keys,
)

__all__ = [
    "KeyLogRow",
    "KeyOut",
    "KeySetRow",
    "LostKey",
    "add_key_set",
    "closing_check",
    "declare_lost",
    "hand_over_keys",
    "inventory",
    "key_log",
    "key_log_for",
    "keys_to_return",
    "lend",
    "lost_charge_cents",
    "move_set",
    "next_label",
    "open_loans",
    "reissue",
    "retire",
    "return_set",
    "rooms_in_scope",
    "set_to_hand_over",
    "take_back",
    "tenants_without_keys",
]
