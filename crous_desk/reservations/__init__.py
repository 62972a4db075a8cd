"""A reservation from request to keys: finding it (``search``), the file one screen shows
(``file``), the rental file's documents (``documents``) and the CROUS proposal
(``proposal``)."""
