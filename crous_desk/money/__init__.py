"""Money at the residence: the damage and lost-key prices of each residence (later: the
ledger). The shipped price list itself is a pure rule, in crous_desk.rules.prices."""
