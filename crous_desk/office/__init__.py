"""The office: the "Accueil" import (``accueil``), CSV exports (``exports``), setting a residence
up (``setup``), the mobility manager's pipeline (``pipeline``), the desk's day (``today``) and
the demo data set (``demo``, ``demo_data``, ``demo_stay``)."""
