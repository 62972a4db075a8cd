"""The ground every layer stands on, with no rule and no database: the clock, the
configuration, translation, the refusal (``Problem``/``Refused``), dates and free text."""
