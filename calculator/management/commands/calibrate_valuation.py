"""`manage.py calibrate_valuation`: refit the attribute effects from the shipped real listings."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from calculator.valuation import calibration


class Command(BaseCommand):
    help = "Refit the valuation's attribute effects from calculator/valuation/calibration/data."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="compare with the shipped tables instead of writing them; exit 1 if they differ",
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        tables = calibration.calibrate()
        if check:
            changed = calibration.differences(tables, calibration.shipped())
            if changed:
                self.stderr.write("The shipped tables differ from a refit:\n" + "\n".join(changed))
                raise SystemExit(1)
            self.stdout.write("The shipped tables match a refit.")
            return
        calibration.write(tables)
        rows = sum(d["listings_used"] for d in tables["data"])
        self.stdout.write(f"Fitted on {rows} listings; wrote {calibration.TABLES.name}")
