"""The Textual interface of crous-desk. It asks the core (crous_desk) and shows its answers."""
