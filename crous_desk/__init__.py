"""crous-desk: the reception desk of a CROUS student residence (the core, without any screen)."""

__version__ = "0.1.0"
