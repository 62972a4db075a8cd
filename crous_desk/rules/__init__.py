"""The desk's rules as pure functions: no database, no screen. Each takes facts and returns
an answer or the problems found (``Problem``s with a stable code): desk hours, the INE, the
proposal window, the rental file, the handover, departures, tenancy, slots, prices, the
status values."""
