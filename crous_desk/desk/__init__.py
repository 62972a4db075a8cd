"""The desk itself: who works (``Desk``: actor, clock, residence), what each role may do
(``permissions``), and the one way to write an action (``action``)."""
