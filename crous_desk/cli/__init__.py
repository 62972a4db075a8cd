"""The ``crous-desk`` command: ``main`` (the desk, the demo, migrate, slips), ``staff`` (the
accounts), ``admin`` (import, export, audit verify, reindex), ``setup`` (residence, rooms,
proposal), ``prices``; ``common`` holds what they share."""
