"""``crous-desk prices``: the damage price list of a residence (shipped prices in data/, the
residence's own on top), listed and changed from the command line, each change audited."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from typing import Any

from crous_desk.base.config import Config
from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.cli.common import existing_db, operator_desk, residence_by_code


def add_parsers(commands: Any) -> None:
    prices = commands.add_parser("prices", help=_("damage prices of a residence: list, set, reset"))
    actions = prices.add_subparsers(dest="prices_command", metavar="ACTION", required=True)
    for name, text in (
        ("list", _("the prices in force at a residence (its own marked *)")),
        ("set", _("set the residence's own price: ITEM SEVERITY EUROS")),
        ("reset", _("back to the shipped price: ITEM SEVERITY")),
    ):
        one = actions.add_parser(name, help=text)
        one.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS)
        one.add_argument("--residence", metavar="CODE", required=True)
        if name != "list":
            one.add_argument("item", help=_("a checklist item or a category, or lost_key_set"))
            one.add_argument("severity", help=_("damaged, missing, worn… ('-' for a lost key)"))
        if name == "set":
            one.add_argument("euros", help=_("e.g. 45 or 12.50"))


MAX_EUROS = 100_000  # far above any damage or key price; keeps the amount a sane integer


def _cents(text: str) -> int:
    try:
        value = Decimal(text.replace(",", ".").replace("€", "").strip())
    except InvalidOperation:
        raise Refused(
            Problem(
                "amount_invalid",
                _("{text!r} is not an amount in euros (e.g. 45 or 12.50)").format(text=text[:20]),
            )
        ) from None
    if not value.is_finite() or value < 0 or value > MAX_EUROS:
        raise Refused(
            Problem(
                "amount_invalid",
                _("an amount is between 0 and {max} €, in euros and cents (e.g. 12.50)").format(
                    max=MAX_EUROS
                ),
            )
        )
    if value != value.quantize(Decimal("0.01")):
        raise Refused(
            Problem("amount_invalid", _("an amount is 0 or more, in euros and cents (e.g. 12.50)"))
        )
    return int(value * 100)


def cmd_prices(args: argparse.Namespace, config: Config) -> int:
    from crous_desk.money.prices import (
        LOST_KEY_SET,
        SEVERITIES,
        default_prices,
        prices_for,
        set_price,
    )
    from crous_desk.rules.condition import euros
    from crous_desk.store.models import PriceOverride

    existing_db(args, config)
    residence = residence_by_code(args.residence)
    if args.prices_command == "list":
        shipped = default_prices()
        prices = prices_for(residence)
        own = {
            (o.item, o.severity)
            for o in PriceOverride.select().where(PriceOverride.residence == residence)
        }
        print(
            f"{LOST_KEY_SET}\t-\t{euros(prices.lost_key_set_cents())}"
            + ("\t*" if (LOST_KEY_SET, "") in own else "")
        )
        for category in sorted(shipped.categories):
            for shown in SEVERITIES:
                price = prices.overrides.get(
                    (category, shown), shipped.categories[category].get(shown, 0)
                )
                mark = "\t*" if (category, shown) in own else ""
                print(f"{category}\t{shown}\t{euros(price)}{mark}")
        for item, own_severity in sorted(own):
            if item != LOST_KEY_SET and item not in shipped.categories:
                price = prices.overrides[(item, own_severity)]
                print(f"{item}\t{own_severity}\t{euros(price)}\t*")
        return 0
    severity = "" if args.severity in ("-", "") else args.severity
    cents: int | None = _cents(args.euros) if args.prices_command == "set" else None
    set_price(operator_desk(residence), args.item, severity, cents)
    print(
        _("{residence}: {item} {severity} → {price}").format(
            residence=residence.code,
            item=args.item,
            severity=severity or "-",
            price=euros(cents) if cents is not None else _("shipped price"),
        )
    )
    return 0


COMMANDS = {"prices": cmd_prices}
