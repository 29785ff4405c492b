"""The demo region's vocabulary: lab templates, schools, companies, people and booking titles."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EquipmentSpec:
    name: str
    description: str
    tags: tuple[str, ...]
    hourly: int  # standard rate in euros
    capacity: int = 2
    maintenance: str = "Onderhoud"


@dataclass(frozen=True, slots=True)
class LabSpec:
    """A kind of lab with the equipment it holds and its usual policy."""

    key: str
    name: str
    description: str
    tags: tuple[str, ...]
    hourly: int
    capacity: int
    equipment: tuple[EquipmentSpec, ...]
    own_use: str  # the school's own lessons, a weekly closure
    titles: tuple[str, ...]
    approval: bool = False
    induction: bool = False
    buffer_before: int = 0
    buffer_after: int = 0
    school_holidays: bool = False  # closed in school holidays (needs school staff)
    quota_hours: int | None = None


def _eq(name: str, description: str, tags: str, hourly: int, maintenance: str) -> EquipmentSpec:
    return EquipmentSpec(name, description, tuple(tags.split()), hourly, 2, maintenance)


LABS: dict[str, LabSpec] = {
    spec.key: spec
    for spec in (
        LabSpec(
            "cnc", "CNC-werkplaats",
            "Werkplaats met CNC-frees- en draaibanken, CAM-werkplekken en een meetkamer. "
            "Geschikt voor scholing van operators en programmeurs.",
            ("cnc", "verspanen", "cam"), 95, 12,
            (
                _eq("DMG Mori 5-assige freesbank DMU 50", "Vijfassige simultaanfrees met "
                    "Heidenhain TNC 640-besturing.", "cnc verspanen frezen", 120,
                    "Onderhoud freesbank"),
                _eq("Haas ST-20 CNC-draaibank", "CNC-draaibank met stafaanvoer en "
                    "aangedreven gereedschap.", "cnc verspanen draaien", 90,
                    "Onderhoud draaibank"),
                _eq("Mitutoyo 3D-meetmachine", "Coördinatenmeetmachine in de klimaatkamer.",
                    "meten kwaliteit", 70, "Kalibratie meetmachine"),
            ),
            "Eigen onderwijs: Verspaner niveau 3",
            ("Training CNC-frezen voor operators", "CNC-draaien basis",
             "Programmeren in Heidenhain", "CAM-scholing Mastercam",
             "Meettechniek en tekeninglezen"),
            induction=True,
        ),
        LabSpec(
            "lassen", "Lasstraat",
            "Twaalf afgezogen lascabines voor MIG/MAG, TIG en elektrode; lashelmen en "
            "persoonlijke beschermingsmiddelen aanwezig.",
            ("lassen", "metaal"), 75, 12,
            (
                _eq("Fronius TPS 400i lasapparaat", "Pulserend MIG/MAG-lasapparaat met "
                    "synergische programma's.", "lassen mig-mag", 35, "Onderhoud lasapparaat"),
                _eq("Kemppi MasterTig 335 ACDC", "TIG-lasapparaat voor staal, RVS en "
                    "aluminium.", "lassen tig", 35, "Onderhoud lasapparaat"),
                _eq("Yaskawa lasrobot", "Lasrobotcel met draaitafel en offline "
                    "programmering.", "lassen robotica", 80, "Onderhoud lasrobot"),
            ),
            "Eigen onderwijs: Lasopleiding niveau 2",
            ("Omscholing lasser MIG/MAG", "TIG-lassen RVS", "Lascertificering NEN-EN-ISO 9606",
             "Lasrobot programmeren", "Praktijkdag dunne plaat"),
            induction=True, buffer_after=15,
        ),
        LabSpec(
            "cleanroom", "Cleanroom",
            "ISO 7-cleanroom met sluis en omkleedruimte voor scholing in contaminatiebeheersing.",
            ("cleanroom", "procestechniek"), 140, 6,
            (
                _eq("Laminar-flowkast", "Werkbank met verticale laminaire luchtstroom.",
                    "cleanroom", 30, "Filterwissel flowkast"),
                _eq("Deeltjesteller Lighthouse", "Draagbare deeltjesteller voor "
                    "cleanroomvalidatie.", "cleanroom meten", 25, "Kalibratie deeltjesteller"),
            ),
            "Eigen onderwijs: minor Hightech Systems",
            ("Cleanroomgedrag en omkleden", "GMP-training productiemedewerkers",
             "Contaminatiebeheersing in de praktijk"),
            approval=True, induction=True, buffer_before=30, school_holidays=True,
        ),
        LabSpec(
            "robotica", "Robotica- en PLC-lab",
            "Werkplekken met industriële robots, cobots en PLC-trainers; TIA Portal op elke "
            "werkplek.",
            ("robotica", "plc", "automatisering"), 85, 16,
            (
                _eq("Fanuc LR Mate 200iD robotarm", "Zesassige robotarm met visiesysteem.",
                    "robotica", 65, "Onderhoud robotarm"),
                _eq("Siemens S7-1500 PLC-trainer", "Acht PLC-trainers met HMI-panelen en "
                    "Profinet.", "plc automatisering", 40, "Software-update PLC-trainers"),
                _eq("Universal Robots UR5e cobot", "Collaboratieve robot met grijper en "
                    "krachtsensor.", "robotica cobot", 60, "Onderhoud cobot"),
            ),
            "Eigen onderwijs: Mechatronica niveau 4",
            ("PLC-basis voor monteurs", "Cobot-introductie voor productieteams",
             "TIA Portal gevorderd", "Robotprogrammeren Fanuc", "Storingzoeken in besturingen"),
        ),
        LabSpec(
            "vr", "VR-ruimte",
            "Ruimte met VR-brillen en simulatoren voor veiligheids- en procestraining.",
            ("vr", "veiligheid"), 60, 12,
            (
                _eq("Meta Quest 3-set (12 brillen)", "Twaalf VR-brillen met beheerde "
                    "trainingsapps.", "vr", 45, "Software-update VR-brillen"),
                _eq("Soldamatic lassimulator", "Lassimulator met augmented reality.",
                    "vr lassen", 50, "Onderhoud lassimulator"),
            ),
            "Eigen onderwijs: BHV en veiligheid",
            ("VR-veiligheidstraining besloten ruimtes", "Procesveiligheid in VR",
             "Lassimulatie voor zij-instromers", "Ontruimingsoefening in VR"),
            quota_hours=12,
        ),
        LabSpec(
            "zorg", "Zorgsimulatie-afdeling",
            "Nagebouwde verpleegafdeling met vier bedden, tilliften en simulatiepoppen; "
            "regiekamer met video-opname.",
            ("zorg", "simulatie"), 70, 14,
            (
                _eq("Hoist-tillift", "Passieve tillift met weegschaal.", "zorg tillen", 15,
                    "Jaarlijkse keuring tillift"),
                _eq("Simulatiepop SimMan 3G", "Patiëntsimulator voor acute zorg.",
                    "zorg simulatie", 55, "Onderhoud simulatiepop"),
            ),
            "Eigen onderwijs: Verzorgende IG niveau 3",
            ("Tiltraining met de tillift", "Scholing medicatieveiligheid",
             "Simulatietraining acute zorg", "Omscholing zorgmedewerker niveau 3"),
            school_holidays=True,
        ),
        LabSpec(
            "elektro", "Elektrotechniek-lab",
            "Practicumlokaal voor laagspanning, NEN 3140 en meet- en regeltechniek.",
            ("elektro", "installatietechniek"), 55, 16,
            (
                _eq("Fluke NEN 3140-meetkoffer", "Installatietester en stroomtang.",
                    "elektro meten", 20, "Kalibratie meetapparatuur"),
                _eq("Zonnepaneel- en omvormeropstelling", "Dakopstelling met zes panelen en "
                    "hybride omvormer.", "elektro duurzaam", 35, "Onderhoud omvormer"),
            ),
            "Eigen onderwijs: Eerste Monteur Elektrotechniek",
            ("NEN 3140 vakbekwaam persoon", "Meten aan laagspanningsinstallaties",
             "Zonnepanelen installeren", "Basis elektrotechniek voor monteurs"),
        ),
        LabSpec(
            "proces", "Procestechniek-lab",
            "Pilotplant met destillatie, warmtewisselaars en procesbesturing.",
            ("procestechniek", "plc"), 110, 10,
            (
                _eq("Destillatiekolom pilot plant", "Glazen destillatiekolom met "
                    "procesbesturing.", "procestechniek", 90, "Onderhoud pilot plant"),
                _eq("Emerson DeltaV DCS-simulator", "Operatortrainingssimulator.",
                    "procestechniek plc", 50, "Software-update DCS"),
            ),
            "Eigen onderwijs: Procestechniek niveau 4",
            ("Procesoperator A: destilleren", "Storingsanalyse procesinstallaties",
             "DCS-bediening voor operators"),
            approval=True, buffer_before=15, buffer_after=15, school_holidays=True,
        ),
        LabSpec(
            "maak", "Maakplaats 3D-printen",
            "Fablab met 3D-printers, lasersnijder en ontwerpwerkplekken.",
            ("3d-printen", "prototyping"), 40, 12,
            (
                _eq("Ultimaker S5 3D-printer", "FDM-printer met dubbele printkop.",
                    "3d-printen", 15, "Onderhoud 3D-printer"),
                _eq("Formlabs Form 3 harsprinter", "SLA-printer voor nauwkeurige "
                    "prototypes.", "3d-printen", 20, "Onderhoud harsprinter"),
                _eq("Trotec lasersnijder", "CO2-lasersnijder 100 W, 1000 × 600 mm.",
                    "lasersnijden prototyping", 30, "Onderhoud lasersnijder"),
            ),
            "Eigen onderwijs: minor Smart Manufacturing",
            ("3D-printen voor engineers", "Rapid prototyping workshop",
             "Lasersnijden en ontwerpen"),
        ),
        LabSpec(
            "installatie", "Installatietechniek-lab",
            "Opstellingen voor warmtepompen, ventilatie en gasloze installaties.",
            ("installatietechniek", "duurzaam"), 65, 12,
            (
                _eq("Warmtepomp-opstelling lucht/water", "Werkende warmtepomp met "
                    "buffervat en meetpunten.", "installatietechniek duurzaam", 40,
                    "Onderhoud warmtepomp"),
            ),
            "Eigen onderwijs: Monteur Installatietechniek",
            ("Warmtepompen installeren en inregelen", "F-gassen certificering praktijk",
             "Gasloos bouwen: installatiepraktijk"),
        ),
        LabSpec(
            "mecha", "Mechatronica-lab",
            "Mechatronica-werkplekken met pneumatiek, hydrauliek en sensoriek.",
            ("mechatronica", "plc"), 70, 16,
            (
                _eq("Festo MPS-productiestraat", "Modulaire productiestraat met PLC-besturing.",
                    "mechatronica plc", 55, "Onderhoud productiestraat"),
            ),
            "Eigen onderwijs: Technicus Mechatronica",
            ("Pneumatiek en hydrauliek basis", "Mechatronica voor monteurs",
             "Sensoriek en storingzoeken"),
        ),
    )
}


@dataclass(frozen=True, slots=True)
class SiteSpec:
    name: str
    street: str
    postcode: str
    city: str
    latitude: float
    longitude: float
    labs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SchoolSpec:
    name: str
    slug: str
    brin: str
    level: str
    city: str
    sites: tuple[SiteSpec, ...]
    approval: tuple[str, ...] = ()
    """Names of labs or equipment whose requests this school approves (a lab's equipment
    follows its lab); each gets a few coming requests from the demo's companies."""
    requests: tuple[tuple[str, str, int], ...] = ()
    """Coming pending requests: (resource name, company slug, how many)."""


SCHOOLS: tuple[SchoolSpec, ...] = (
    SchoolSpec("ROC Demo", "roc-demo", "25LX", "MBO", "Rotterdam", (
        SiteSpec("Techniekcampus Waalhaven", "Waalhaven Zuidzijde 19", "3089 JH", "Rotterdam",
                 51.8890, 4.4330, ("cnc", "lassen", "robotica")),
        SiteSpec("Campus Zuidplein", "Zuidplein 500", "3083 CX", "Rotterdam",
                 51.8820, 4.4870, ("zorg", "vr", "elektro")),
    ), approval=("VR-ruimte", "Zorgsimulatie-afdeling", "Yaskawa lasrobot"), requests=(
        # So that facility@roc-demo.test has requests to approve on a fresh demo.
        ("VR-ruimte", "acme", 2), ("VR-ruimte", "beta", 2),
        ("Zorgsimulatie-afdeling", "acme", 1),  # partners only: Acme is a partner
        ("Yaskawa lasrobot", "beta", 2), ("Yaskawa lasrobot", "acme", 1),
    )),
    SchoolSpec("Hogeschool Delta Delft", "hs-delta", "21WN", "HBO", "Delft", (
        SiteSpec("Campus Technopolis", "Rotterdamseweg 137", "2628 AL", "Delft",
                 51.9930, 4.3790, ("cleanroom", "proces", "robotica")),
        SiteSpec("Innovatiewerkplaats RDM", "Heijplaatstraat 23", "3089 JB", "Rotterdam",
                 51.8740, 4.4190, ("maak", "mecha")),
    )),
    SchoolSpec("Drechtwerk College", "drechtwerk", "27GH", "MBO", "Dordrecht", (
        SiteSpec("Leerpark Dordrecht", "Leerparkpromenade 100", "3312 KW", "Dordrecht",
                 51.8030, 4.6960, ("lassen", "cnc", "installatie")),
        SiteSpec("Maritieme Campus Zwijndrecht", "Scheepmakerij 240", "3331 MB",
                 "Zwijndrecht", 51.8170, 4.6390, ("elektro", "proces")),
    )),
    SchoolSpec("Groene Hart Vakcollege", "groene-hart", "30KP", "MBO", "Gouda", (
        SiteSpec("Campus Goverwelle", "Goverwellesingel 10", "2807 DZ", "Gouda",
                 52.0230, 4.7350, ("zorg", "vr", "elektro")),
        SiteSpec("Techniekhuis Bodegraven", "Europaweg 12", "2411 NP", "Bodegraven",
                 52.0800, 4.7480, ("mecha", "maak")),
    )),
)

REGION_NAME = "Katapult Regio Zuid-Holland"
PLATFORM_NAME = "labshare"


@dataclass(frozen=True, slots=True)
class CompanySpec:
    name: str
    slug: str
    city: str
    sme: bool
    interests: tuple[str, ...]  # lab keys
    partner_of: tuple[str, ...] = ()  # school slugs


COMPANIES: tuple[CompanySpec, ...] = (
    CompanySpec("Acme Metaal BV", "acme", "Rotterdam", True,
                ("cnc", "lassen", "robotica", "maak", "vr"), ("roc-demo", "drechtwerk")),
    CompanySpec("Beta Robotics BV", "beta", "Delft", True,
                ("robotica", "mecha", "elektro", "maak", "cnc", "vr"), ("hs-delta",)),
    CompanySpec("Van der Linden Verspaning BV", "vdlinden", "Dordrecht", True, ("cnc", "maak")),
    CompanySpec("Rijnmond Staalbouw BV", "rijnmond-staal", "Schiedam", False,
                ("lassen", "vr", "cnc"), ("roc-demo",)),
    CompanySpec("Zorggroep Drechtsteden", "zorg-drecht", "Dordrecht", False, ("zorg", "vr")),
    CompanySpec("Stichting Zorgpunt Gouda", "zorgpunt", "Gouda", False, ("zorg",),
                ("groene-hart",)),
    CompanySpec("Havenbedrijf Techniek Services BV", "havenservices", "Rotterdam", False,
                ("elektro", "proces", "robotica", "vr", "lassen")),
    CompanySpec("Delfland Precisie BV", "delfland", "Delft", True,
                ("cleanroom", "cnc", "maak"), ("hs-delta",)),
    CompanySpec("Gouwe Installatietechniek BV", "gouwe", "Gouda", True,
                ("installatie", "elektro")),
    CompanySpec("Maasvlakte Procesindustrie BV", "maasvlakte", "Rotterdam", False,
                ("proces", "cleanroom", "vr", "elektro"), ("hs-delta", "drechtwerk")),
    CompanySpec("Kinderdijk Elektro BV", "kinderdijk", "Alblasserdam", True,
                ("elektro", "installatie", "mecha")),
    CompanySpec("Hollandse Scheepsbouw Groep BV", "scheepsbouw", "Sliedrecht", False,
                ("lassen", "cnc", "robotica", "elektro"), ("drechtwerk",)),
)

FIRST_NAMES: tuple[str, ...] = (
    "Sanne", "Mohamed", "Jeroen", "Fatima", "Pieter", "Lotte", "Kevin", "Anouk", "Daan",
    "Yasmina", "Thijs", "Eva", "Ruben", "Noor", "Bram", "Iris", "Emre", "Femke", "Joost",
    "Samira", "Wouter", "Lieke", "Stefan", "Naima", "Bas", "Ilse", "Rachid", "Marloes",
)
LAST_NAMES: tuple[str, ...] = (
    "de Vries", "El Amrani", "Bakker", "Yilmaz", "van Dijk", "Jansen", "Visser", "Smit",
    "Mulder", "Bouzid", "de Boer", "Meijer", "Peters", "Hendriks", "Dekker", "van Leeuwen",
    "Kaya", "de Graaf", "Vermeulen", "van den Berg", "Koster", "Boukhari", "Willems",
)

CITIES: tuple[tuple[str, str, float, float], ...] = (
    # (city, postcode digits base, latitude, longitude)
    ("Rotterdam", "30", 51.9225, 4.4792), ("Den Haag", "25", 52.0705, 4.3007),
    ("Leiden", "23", 52.1601, 4.4970), ("Zoetermeer", "27", 52.0575, 4.4931),
    ("Schiedam", "31", 51.9192, 4.3989), ("Spijkenisse", "32", 51.8450, 4.3290),
    ("Gorinchem", "42", 51.8306, 4.9742), ("Alphen aan den Rijn", "24", 52.1290, 4.6555),
    ("Vlaardingen", "31", 51.9125, 4.3419), ("Capelle aan den IJssel", "29", 51.9292, 4.5778),
    ("Breda", "48", 51.5719, 4.7683), ("Utrecht", "35", 52.0907, 5.1214),
    ("Eindhoven", "56", 51.4416, 5.4697), ("Tilburg", "50", 51.5555, 5.0913),
    ("Amersfoort", "38", 52.1561, 5.3878), ("Zwolle", "80", 52.5168, 6.0830),
    ("Groningen", "97", 53.2194, 6.5665), ("Arnhem", "68", 51.9851, 5.8987),
    ("Nijmegen", "65", 51.8126, 5.8372), ("Enschede", "75", 52.2215, 6.8937),
    ("Almere", "13", 52.3508, 5.2647), ("Haarlem", "20", 52.3874, 4.6462),
    ("Leeuwarden", "89", 53.2012, 5.7999), ("Middelburg", "43", 51.4988, 3.6136),
    ("Venlo", "59", 51.3704, 6.1724), ("Helmond", "57", 51.4793, 5.6570),
)
STREETS: tuple[str, ...] = (
    "Techniekweg", "Industrieweg", "Havenstraat", "Kanaalweg", "Stationsplein",
    "Laan van Innovatie", "Ambachtsweg", "Schoolstraat", "Energieweg", "Onderwijsboulevard",
    "Smederij", "Werkplaatsweg", "Campuslaan", "Fabriekstraat",
)
SITE_KINDS: tuple[str, ...] = (
    "Techniekcampus", "Vakcentrum", "Praktijkcentrum", "Innovatiehuis", "Campus",
)
SCHOOL_AREAS: tuple[str, ...] = (
    "Noord", "Zuid", "Oost", "West", "Midden", "Haaglanden", "Rijnland", "Drechtsteden",
)
COMPANY_WORDS: tuple[str, ...] = (
    "Metaal", "Techniek", "Robotics", "Installaties", "Elektro", "Precisie", "Zorg",
    "Procesindustrie", "Staalbouw", "Automation", "Mechatronics",
)
COMPANY_SUFFIXES: tuple[str, ...] = ("BV", "BV", "BV", "Groep BV", "Services BV")
