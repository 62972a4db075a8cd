"""The demo's fixed tables: residences, names from everywhere (accents and all), home
universities, the mix of room kinds and their rents, the accounts, and which state each demo
student is in. Changing any of them changes every demo database and snapshot."""

from __future__ import annotations

from crous_desk.rules.status import Role

RESIDENCES = [
    (
        "gaston-berger",
        "Résidence Gaston Berger",
        "Avenue Gaston Berger, 13100 Aix-en-Provence",
        "04 42 93 47 00",
    ),
    ("luminy", "Résidence de Luminy", "163 avenue de Luminy, 13009 Marseille", "04 91 26 83 00"),
    (
        "les-gazelles",
        "Résidence Les Gazelles",
        "Avenue Jules Isaac, 13100 Aix-en-Provence",
        "04 42 17 22 10",
    ),
]

FIRST_NAMES = [
    "Hélène",
    "Zoé",
    "Inès",
    "Léa",
    "Chloé",
    "Maëlle",
    "Noémie",
    "Jérôme",
    "François",
    "Loïc",
    "Anaïs",
    "Mathéo",
    "Clément",
    "Éloïse",
    "Gaëtan",
    "Océane",
    "Benoît",
    "Adèle",
    "Raphaël",
    "Joël",
    "João",
    "Sofía",
    "Łukasz",
    "Zoë",
    "Björn",
    "Aylin",
    "Mehmet",
    "Siobhán",
    "Ngozi",
    "Chiara",
    "Giulia",
    "Hiroshi",
    "Yuki",
    "Priya",
    "Dmitri",
    "Agnieszka",
    "Mónica",
    "Søren",
    "Ilkay",
    "Thảo",
    "Minh",
    "Amara",
    "Kwame",
    "Fatoumata",
    "Youssef",
    "Aïcha",
    "Mateo",
    "Valentina",
    "Emma",
    "Lukas",
    "Olivia",
    "Ahmed",
    "Wei",
    "Jiayi",
    "Sebastián",
    "Ana",
]
LAST_NAMES = [
    "Dupont",
    "Lefèvre",
    "Müller",
    "Nowak",
    "García Márquez",
    "O'Brien",
    "Núñez",
    "Kowalczyk",
    "Schröder",
    "Da Silva",
    "Nguyễn",
    "Østergaard",
    "Martin",
    "Bernard",
    "Moreau",
    "Fournier",
    "Girard",
    "Rousseau",
    "Bonnet",
    "Lemaître",
    "Faure",
    "Mercier",
    "Chevalier",
    "Gauthier",
    "Rossi",
    "Bianchi",
    "Fernández",
    "Petrov",
    "Yılmaz",
    "Diallo",
    "Traoré",
    "Mensah",
    "Okafor",
    "Tanaka",
    "Sato",
    "Kim",
    "Chen",
    "Wang",
    "Sharma",
    "Novák",
    "Dvořák",
    "Şahin",
    "Ó Súilleabháin",
    "van der Berg",
    "Jørgensen",
    "Ferreira",
    "Santos",
    "Kováč",
    "Håkansson",
    "Zieliński",
]
UNIVERSITIES = [
    ("Universidade de Lisboa", "Aix – Quartier des facultés"),
    ("Universität Heidelberg", "Luminy"),
    ("Università di Bologna", "Aix – Schuman"),
    ("University of Lagos", "Saint-Charles"),
    ("Jagiellonian University", "Luminy"),
    ("Universidad de Buenos Aires", "Saint-Charles"),
    ("University of Tokyo", "Château-Gombert"),
    ("Trinity College Dublin", "Aix – Schuman"),
    ("Københavns Universitet", "Luminy"),
    ("Boğaziçi University", "Aix – Quartier des facultés"),
]
KIND_MIX = (
    ["traditional"] * 8
    + ["renovated"] * 8
    + ["studio"] * 6
    + ["flat_t1", "flat_t2", "flat_t2", "flat_t3", "flat_t4", "flat_t5"]
)
RENT = {
    "traditional": 13300,
    "renovated": 21000,
    "studio": 23900,
    "flat_t1": 28000,
    "flat_t2": 34000,
    "flat_t3": 41000,
    "flat_t4": 47000,
    "flat_t5": 52000,
}
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# Accounts beyond the desk's three receptionists: `crous-desk demo --user s.laurent` opens
# the mobility manager's workspace, `--user admin` the administrator's desk.
DEMO_ACCOUNTS = (
    (
        "s.laurent",
        "Sophie Laurent",
        Role.MANAGER,
        (("campus", "Luminy"), ("campus", "Château-Gombert")),
    ),
    ("admin", "Administrateur CROUS", Role.ADMINISTRATOR, ()),
)
STUDENTS = 300


# Which state each demo student is in; the first few are the day's arrivals.
PLANS = (
    ["arrival_ready"] * 3
    + ["arrival_file"] * 6
    + ["proposed_soon"] * 3
    + ["proposed"] * 8
    + ["expired"] * 3
    + ["accepted"] * 20
    + ["checked_in"] * 30
    + ["requested"] * 8
    + ["refused"] * 3
    + ["departed"] * 3
    + ["cancelled"] * 1
)
