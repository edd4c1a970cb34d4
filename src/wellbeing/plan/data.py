"""The National Plan and the conceptual model as plain data, loaded by ``loader.py``.

Taken from the project's research notes: the shared references
``national_plan_content.md`` (the newer one, which corrects and extends) and
``national_plan_and_collaborative.md`` (sections 1 and 4). Rules applied:

- Facts tagged [V] or [V-prior] (seen in a primary source: the Plan, NAM's or
  the National Academies' pages) carry over with ``verified=True``: titles, goal
  statements, goals, action texts, actor groups, the chapters' frontline quotes,
  dates and numbers.
- Facts tagged [S] (a named third-party page) carry over with ``secondary=True``
  and their source, so public pages show them labelled with it.
- [U] recollections, MISSING facts and WARN sources are NOT here. Where the
  Plan's structure is known but its words are not (goals 3.1 and 3.2 exist
  because actions 3.1.C and 3.2.A do; goal 1.5 is cut off in every copy), the
  row ships neither verified nor secondary: public pages leave it out and the
  staff completeness page lists it. Above all, the sub-factors of the conceptual
  model are limited to the two that were read in the source; the others must
  come from the published figure, not from memory.
- Summaries and descriptions are our own words.

Rows are loaded by ``loader.py`` from migrations 0002 and 0004; a value added
or changed after a release ships also goes into a migration's corrections, so
databases loaded before it get it too (see ``loader.apply_corrections``).

Slugs are public and stable: never rename one (later apps link to them).
Plain dicts keep this module importable from a migration without Django models.
Fact labels are our own words, marked with ``gettext_noop`` so that ``make
messages`` collects them and the pages translate them; every other text is the
sources' and stays in English.
"""

from django.utils.translation import gettext_noop

# --- sources ---------------------------------------------------------------------------

NP_WEB = "https://nam.edu/initiatives/clinician-resilience-and-well-being/national-plan-for-health-workforce-well-being/"
NP_BG = NP_WEB + "national-plan-background/"
NP_KIT = "https://nam.edu/product/national-plan-for-health-workforce-well-being-publication-toolkit"
NAP_BOOK = "https://nap.nationalacademies.org/read/26744/chapter/{}"
NP_SKIM_PA3 = (
    "https://nap.nationalacademies.org/nap-cgi/skimchap.cgi?chap=25%E2%80%9334&recid=26744"
)
HRSA_WPCHANGE = (
    "https://wpchange.org/strategies/sub-strategies/advancing-measurement-accountability"
)
AHA = "https://aha.org/node/685635"
APTA = "https://www.apta.org/news/2022/10/25/nam-workforce-reccs"
NP_WEB_COPY_PA6_GOAL = "http://caryconover.com/other20/623/main.php?id=811"
NP_WEB_MIRROR = "http://elijahs-race.com/initiatives/clinician-resilience-and-well-being/national-plan-for-health-workforce-well-being/"
CMOD = "https://nam.edu/clinicianwellbeing/resources/factors-affecting-clinician-well-being-and-resilience-conceptual-model/"
CMOD_PDF = "https://vdocuments.mx/factors-affecting-clinician-well-being-and-factors-affecting-clinician-well-being.html"
KH = "https://nam.edu/clinicianwellbeing/"
DOI = "https://doi.org/10.17226/26744"
NAP_OPENBOOK = NAP_BOOK.format(1)

PLAN = "National Plan for Health Workforce Well-Being (NAM, 2022)"


def _chapter(area: int, pages: str = "") -> str:
    """Citation of a priority-area chapter: area n is chapter n of the Plan, NAP OpenBook ch/n+2."""
    where = f", {pages}" if pages else ""
    return f"{PLAN}, chapter {area}{where}"


def _chapter_url(area: int) -> str:
    return NAP_BOOK.format(area + 2)


def _rows(defaults: dict, *rows: dict) -> list[dict]:
    """Rows sharing provenance: each row's own keys win over the shared defaults."""
    return [{**defaults, **row} for row in rows]


# --- actor groups ----------------------------------------------------------------------
# The column headings of the Plan's action table next to action 3.2.A (p. 29), in
# the order extracted (national_plan_content.md section 4.1 [V]). Whether other
# chapters use further columns is MISSING: staff add them in the admin.

_ACTOR_SOURCE = f"{_chapter(3, 'p. 29')}, action table column headings (chapter skim)"

ACTOR_GROUPS = [
    {
        "slug": slug,
        "name": name,
        "order": order,
        "verified": True,
        "source": _ACTOR_SOURCE,
        "source_url": NP_SKIM_PA3,
    }
    for order, (slug, name) in enumerate(
        [
            ("federal-state-and-local-governments", "Federal, State, and Local Governments"),
            ("health-systems", "Health Systems"),
            ("health-workers", "Health Workers"),
            ("insurers-and-payers", "Insurers and Payers"),
            ("private-and-non-profit-organizations", "Private and Non-Profit Organizations"),
            ("professional-and-specialty-societies", "Professional and Specialty Societies"),
        ],
        start=1,
    )
]
PA3_ACTOR_SLUGS = [group["slug"] for group in ACTOR_GROUPS]

# --- the seven priority areas ----------------------------------------------------------

PRIORITY_AREAS = [
    {
        "number": 1,
        "slug": "positive-work-and-learning-environments",
        "title": "Create and Sustain Positive Work and Learning Environments and Culture",
        "goal_statement": (
            "Transform health systems, health education, and training by prioritizing and "
            "investing in efforts to optimize environments that prevent and reduce burnout, "
            "foster professional well-being, and support quality care."
        ),
        "frontline_quote": (
            "Invest in and prioritize a true well-being program and prioritize it to make it a "
            "culture. Often organizational policies and expectations are conflicting with true "
            "commitment to well-being. There needs to be more than just telling people to take "
            "care of themselves."
        ),
        "summary": (
            "Where people work and learn shapes whether they burn out or thrive. This area asks "
            "health systems, schools and training programs to treat a healthy environment and "
            "culture as something they deliberately plan and pay for: settings that prevent "
            "burnout, support professional well-being and make good patient care possible."
        ),
        "summary_source": f"{_chapter(1)}; NAM National Plan web page",
        "verified": True,
        "source": f"{_chapter(1, 'from p. 9')}; NAM National Plan web page (goals)",
        "source_url": _chapter_url(1),
        "goals": _rows(
            {
                "verified": True,
                "source": "NAM National Plan web page, Priority Area 1 goals",
                "source_url": NP_WEB,
            },
            {
                "number": 1,
                "text": "Culture of well-being is integrated into program operations, human resource management, services, and curricula.",
            },
            {"number": 2, "text": "Settings are diverse, equitable, accessible, and inclusive."},
            {"number": 3, "text": "Increased retention and decreased turnover of health workers."},
            {
                "number": 4,
                "text": "Leadership recognizes negative impacts of health worker burnout and fosters a culture of well-being.",
            },
            {
                # The only words readable in every stored copy; the rest is cut off, so
                # the goal is for staff to complete (not public).
                "number": 5,
                "text": "Accountability standards and best practices for well-being are …",
                "verified": False,
                "note": "The wording is cut off in the copies we could read; staff will complete it from the Plan.",
            },
        ),
        "actions": [],
    },
    {
        "number": 2,
        "slug": "measurement-assessment-strategies-and-research",
        "title": "Invest in Measurement, Assessment, Strategies, and Research",
        "goal_statement": (
            "Expand the uptake of existing tools at the health system level and advance national "
            "research on decreasing health worker burnout and improving well-being."
        ),
        "frontline_quote": (
            "So far, most of the response of my organization has been psychosocial support for "
            "health care workers, but I'd like to see us measure burnout organizationally, track "
            "it and design improvement efforts around it."
        ),
        "summary": (
            "Burnout and distress can only be reduced reliably where they are measured. The Plan "
            "asks health care settings of every size and location to use validated tools "
            "repeatedly over time, both to know how common burnout is and to see whether their "
            "strategies against it work, and it calls for national research on what lowers "
            "burnout and raises well-being."
        ),
        "summary_source": _chapter(2),
        "verified": True,
        "source": _chapter(2),
        "source_url": _chapter_url(2),
        "actor_groups": ["federal-state-and-local-governments"],
        "actor_groups_source": "HRSA Workplace Change Collaborative (secondary source), actor of the one known action",
        "goals": [],
        "actions": [
            {
                "slug": "action-2-national-epidemiologic-tracking-program",
                "code": "",
                "goal": None,
                "order": 1,
                "text": (
                    "Establishing and supporting a national epidemiologic tracking program to "
                    "measure health worker and learner well-being, distress, and burnout with "
                    "mandated funding"
                ),
                # [S]: the Plan's own wording, number and goal are MISSING.
                "verified": False,
                "secondary": True,
                "source": "HRSA Workplace Change Collaborative, 'Advancing measurement and accountability' (quoting the National Plan)",
                "source_url": HRSA_WPCHANGE,
                "actor_groups": ["federal-state-and-local-governments"],
                "actor_groups_source": "HRSA Workplace Change Collaborative (secondary source)",
            }
        ],
    },
    {
        "number": 3,
        "slug": "mental-health-and-stigma",
        "title": "Support Mental Health and Reduce Stigma",
        "goal_statement": (
            "Provide support to health workers by eliminating barriers and reducing stigma "
            "associated with seeking services to address mental health challenges."
        ),
        "frontline_quote": (
            "We need investment in mental health in the long term, funding and access to care, "
            "and change in barriers to access like conversations about care and stigma in our "
            "culture."
        ),
        "summary": (
            "Health workers who need help with their mental health often meet obstacles and "
            "stigma when they look for it. This area is about removing both. The chapter also "
            "asks for licensing processes that are consistent with the Americans with "
            "Disabilities Act, and for triage by skilled mental health professionals who can tell "
            "burnout apart from mental and behavioral health conditions."
        ),
        "summary_source": _chapter(3, "pp. 25-34 (chapter skim)"),
        "verified": True,
        "source": _chapter(3, "pp. 25-34"),
        "source_url": _chapter_url(3),
        "actor_groups": PA3_ACTOR_SLUGS,
        "actor_groups_source": _ACTOR_SOURCE,
        # Goals 3.1 and 3.2 exist (actions 3.1.C and 3.2.A are numbered under
        # them), but their wording was not readable: structure only.
        "goals": _rows(
            {
                "verified": False,
                "source": _chapter(3, "pp. 25-34 (chapter skim), implied by the action numbers"),
                "source_url": NP_SKIM_PA3,
                "text": "",
            },
            {"number": 1},
            {"number": 2},
        ),
        "actions": _rows(
            {
                "verified": True,
                "source": _chapter(3, "pp. 25-34 (chapter skim)"),
                "source_url": NP_SKIM_PA3,
            },
            {
                "slug": "action-3-1-c",
                "code": "3.1.C",
                "goal": 1,
                "order": 1,
                "text": (
                    "Continue to address the lack of pay parity between health professionals "
                    "providing mental health services and those who provide other forms of "
                    "treatment."
                ),
            },
            {
                "slug": "action-3-2-a",
                "code": "3.2.A",
                "goal": 2,
                "order": 2,
                "text": (
                    "Provide supportive mental health services for health workers involved in "
                    "safety events and other traumatic events as part of a system's layered "
                    "protections against medical errors."
                ),
                # The table next to it has six actor columns, but which are ticked for
                # 3.2.A could not be read: leave the action's actors empty (the staff
                # completeness page lists it).
            },
        ),
    },
    {
        "number": 4,
        "slug": "compliance-regulatory-and-policy-barriers",
        "title": "Address Compliance, Regulatory, and Policy Barriers for Daily Work",
        # The chapter's opening goal sentence was not readable.
        "goal_statement": "",
        "summary": (
            "Compliance, regulatory and policy requirements can get in the way of health "
            "workers' daily work. Partner organizations summarize this area as removing the "
            "regulatory and policy barriers that impede daily work (American Hospital "
            "Association), including the overuse of prior authorization and burdensome "
            "productivity standards (American Physical Therapy Association)."
        ),
        "summary_source": f"American Hospital Association ({AHA}); American Physical Therapy Association ({APTA})",
        "verified": True,
        "source": _chapter(4),
        "source_url": _chapter_url(4),
        "goals": [],
        "actions": [],
    },
    {
        "number": 5,
        "slug": "effective-technology-tools",
        "title": "Engage Effective Technology Tools",
        "goal_statement": (
            "Optimize and expand the use of health information technologies that support health "
            "workers in providing high-quality patient care and serving population health, and "
            "minimize technologies that inhibit clinical decision-making or add to "
            "administrative burden."
        ),
        "summary": (
            "Technology should help health workers care for patients, not stand in their way. "
            "This area calls for better and wider use of health IT that supports high-quality "
            "care and population health, and for less of the technology that gets in the way of "
            "clinical decisions or adds paperwork. The chapter notes that electronic health "
            "records are among the causes of frustration and burnout health workers cite most."
        ),
        "summary_source": _chapter(5),
        "verified": True,
        "source": _chapter(5),
        "source_url": _chapter_url(5),
        "goals": [],
        "actions": [],
    },
    {
        "number": 6,
        "slug": "well-being-as-a-long-term-value",
        "title": "Institutionalize Well-Being as a Long-Term Value",
        "goal_statement": (
            "Ensure COVID-19 recovery efforts address the toll on health worker well-being now and "
            "in the future, and bolster the public health and health care systems for future "
            "emergencies."
        ),
        "frontline_quote": (
            "I felt forgotten about by upper-level hospital management, family, friends, "
            "neighbors, etc. This affected my personal mental health because I felt like I was "
            "fighting this invisible war every day, watching people die all the time, dealing "
            "with a very sick patient whose family doesn't believe COVID is real."
        ),
        "summary": (
            "Well-being has to outlast any single crisis. This area asks that recovery from "
            "COVID-19 take account of what the pandemic cost health workers, now and in the "
            "years ahead, and that public health and health care systems be made stronger for "
            "the next emergency. Organizations joining the Change Maker campaign affirm their "
            "commitment to this priority area."
        ),
        "summary_source": f"{_chapter(6)}; Change Maker commitment: mirror of the NAM National Plan web page (secondary source, {NP_WEB_MIRROR})",
        "verified": True,
        "source": _chapter(6),
        "source_url": _chapter_url(6),
        "goals": [
            {
                "number": 1,
                "text": "Health worker and learner well-being are prioritized, reflected in, and operationalized in strategic plans and core values.",
                "verified": False,
                "secondary": True,
                "source": "Copy of the NAM National Plan web page (secondary source)",
                "source_url": NP_WEB_COPY_PA6_GOAL,
            }
        ],
        "actions": [],
    },
    {
        "number": 7,
        "slug": "diverse-and-inclusive-health-workforce",
        "title": "Recruit and Retain a Diverse and Inclusive Health Workforce",
        # Goal sentence, goals and actions were not readable: structure only.
        "goal_statement": "",
        "summary": "",
        "summary_source": "",
        "verified": True,
        "source": _chapter(7, "from p. 57"),
        "source_url": _chapter_url(7),
        "goals": [],
        "actions": [],
    },
]

# --- facts about the Plan --------------------------------------------------------------


def _facts(subject: str, *rows: dict) -> list[dict]:
    """Number the facts in the order given; all of them were seen in their source."""
    return [
        {"subject": subject, "order": order, "verified": True, **row}
        for order, row in enumerate(rows, start=1)
    ]


PLAN_FACTS = _facts(
    "national-plan",
    {
        "slug": "published",
        "label": gettext_noop("Published"),
        "value": "October 3, 2022, by the National Academy of Medicine",
        "source": "NAM, National Plan publication toolkit",
        "source_url": NP_KIT,
    },
    {
        "slug": "editors",
        "label": gettext_noop("Editors"),
        "value": "Victor J. Dzau, Darrell Kirch, Vivek Murthy and Thomas Nasca (NAM Special Publication)",
        "source": f"{PLAN}, front matter",
        "source_url": NAP_BOOK.format(1),
    },
    {
        "slug": "public-input",
        "label": gettext_noop("Public input"),
        "value": "A draft was released in May 2022 with a public webinar and an open comment period; it drew nearly 2,000 constructive comments.",
        "source": "NAM, National Plan background; NAM, publication toolkit",
        "source_url": NP_BG,
    },
    {
        "slug": "drafting",
        "label": gettext_noop("Drafting"),
        "value": "A steering committee chose the priority areas in November 2021 and met six times between December 2021 and May 2022, followed by public input and NAM peer review.",
        "source": f"NAM, National Plan background; {PLAN}, Appendix A",
        "source_url": NP_BG,
    },
    {
        "slug": "endorsements",
        "label": gettext_noop("Endorsements"),
        "value": "50 organizations",
        "source": "NAM, National Plan publication toolkit",
        "source_url": NP_KIT,
    },
    {
        "slug": "audience",
        "label": gettext_noop("Addressed to"),
        "value": "Health care and public health leaders, government, payers, industry, educators, and leaders in other sectors",
        "source": "NAM, National Plan web page",
        "source_url": NP_WEB,
    },
    {
        "slug": "burnout-prevalence",
        "label": gettext_noop("Why it matters"),
        "value": "Up to 54 percent of nurses and physicians, 60 percent of medical students and residents, and 61 to 75 percent of pharmacists have symptoms of burnout.",
        "source": f"{PLAN}, Introduction",
        "source_url": NAP_BOOK.format(2),
    },
    {
        "slug": "doi",
        "label": gettext_noop("DOI"),
        "value": "10.17226/26744",
        "value_url": "https://doi.org/10.17226/26744",
        "source": f"{PLAN}, front matter",
        "source_url": NAP_BOOK.format(1),
    },
    {
        "slug": "isbn",
        "label": gettext_noop("ISBN-13"),
        "value": "978-0-309-69467-4",
        "source": f"{PLAN}, front matter",
        "source_url": NAP_BOOK.format(1),
    },
    {
        "slug": "read-online",
        "label": gettext_noop("Read online"),
        "value": "National Academies Press OpenBook",
        "value_url": NAP_BOOK.format(1),
        "source": "National Academies Press",
        "source_url": NAP_BOOK.format(1),
    },
    {
        # national_plan_content.md section 2 [V]: record the edition read.
        "slug": "editions",
        "label": gettext_noop("Editions"),
        "value": "The National Academies Press serves the 2022 edition as page images and a 2024 HTML reprint under the same DOI; the two differ in small details of their references.",
        "source": f"{PLAN}, Priority Area 3 chapter in both editions (National Academies Press)",
        "source_url": NAP_BOOK.format(5),
    },
)

# Shown on the actor-group pages (national_plan_content.md sections 2 and 4.2 [V]).
ACTOR_FACTS = _facts(
    "actor-groups",
    {
        "slug": "actors-interconnected",
        "label": gettext_noop("How the parts fit"),
        "value": "“The goals, actions, and actors identified in this National Plan are interconnected and aim to support health worker well-being and a thriving U.S. health system.”",
        "source": f"{PLAN}, Summary and Conclusion",
        "source_url": NAP_BOOK.format(10),
    },
    {
        "slug": "actors-action-tables",
        "label": gettext_noop("Action tables"),
        "value": "Actions are numbered by priority area, goal and letter (for example 3.2.A); the chapter's action tables carry a column for each group of actors.",
        "source": f"{_chapter(3, 'pp. 28-29')} (chapter skim)",
        "source_url": NP_SKIM_PA3,
    },
    {
        "slug": "actors-called-on",
        "label": gettext_noop("Called on to act"),
        "value": "The Summary and Conclusion names, among others, individual health systems and training programs, frontline health workers, public and private payers, developers of health IT, federal and state governments, health leaders, and community members from patients to media organizations.",
        "source": f"{PLAN}, Summary and Conclusion",
        "source_url": NAP_BOOK.format(10),
    },
)

# --- the conceptual model --------------------------------------------------------------

_CMOD_SOURCE = (
    "NAM, Factors Affecting Clinician Well-Being and Resilience: conceptual model (figure, 2018)"
)

MODEL_FACTS = _facts(
    "conceptual-model",
    {
        "slug": "model-developed-by",
        "label": gettext_noop("Developed by"),
        "value": "The Conceptual Model working group of the NAM Action Collaborative on Clinician Well-Being and Resilience",
        "source": "NAM Clinician Well-Being Knowledge Hub, About",
        "source_url": KH + "about/",
    },
    {
        "slug": "model-discussion-paper",
        "label": gettext_noop("Discussion paper"),
        "value": "Brigham et al., “A Journey to Construct an All-Encompassing Conceptual Model of Factors Affecting Clinician Well-Being and Resilience”, January 29, 2018",
        "source": "NAM, conceptual model page",
        "source_url": CMOD,
    },
    {
        "slug": "model-scope",
        "label": gettext_noop("Scope"),
        "value": "The factors apply across all health care professions, specialties, settings and career stages, and the model stresses the link between clinician well-being and outcomes for clinicians, patients and the health system.",
        "source": "NAM, conceptual model page",
        "source_url": CMOD,
    },
    {
        "slug": "model-intended-use",
        "label": gettext_noop("Intended use"),
        "value": "“The model should be used to understand well-being, rather than as a diagnostic or assessment tool.”",
        "source": "NAM, conceptual model page",
        "source_url": CMOD,
    },
    {
        "slug": "model-revisions",
        "label": gettext_noop("Revisions"),
        "value": "Figure copyright 2018 National Academy of Sciences. NAM notes that the model has been updated since the discussion paper and will be revised as the field develops.",
        "source": "NAM, conceptual model page",
        "source_url": CMOD,
    },
)

# Kinds as plain strings (historical models in migrations have no TextChoices).
GROUP, DOMAIN, SUB_FACTOR, OUTCOME = "group", "domain", "sub_factor", "outcome"

_FIGURE = {"verified": True, "source": _CMOD_SOURCE, "source_url": CMOD}
_LABELS = {**_FIGURE, "source": f"{_CMOD_SOURCE}, labels on the figure"}
_READ_IN_PDF = {
    **_FIGURE,
    "source": f"{_CMOD_SOURCE}, transcript of the PDF",
    "source_url": CMOD_PDF,
}


def _described_by_hub(*pages: str) -> str:
    """A description paraphrasing the factor's landing pages on NAM's Knowledge Hub."""
    return "NAM Clinician Well-Being Knowledge Hub, " + "; ".join(
        f"{KH}causes/{page}/" for page in pages
    )


# Parents come before their children: the loader resolves "parent" by slug.
MODEL_ELEMENTS = [
    *_rows(
        {**_FIGURE, "kind": GROUP},
        {
            "slug": "external-factors",
            "name": "External factors",
            "order": 1,
            "description": (
                "Factors outside the individual clinician's control, which NAM's Knowledge Hub "
                "names as the main drivers of burnout."
            ),
            "description_source": _described_by_hub(
                "practice-environment", "organizational-factors"
            ),
        },
        {
            "slug": "individual-factors",
            "name": "Individual factors",
            "order": 2,
            "description": (
                "Factors of the person, such as family dynamics, financial stressors and "
                "learning style."
            ),
            "description_source": _described_by_hub("personal-factors"),
        },
    ),
    *_rows(
        {**_LABELS, "kind": DOMAIN},
        {
            "slug": "society-and-culture",
            "parent": "external-factors",
            "name": "Society & Culture",
            "order": 1,
            "description": (
                "Bias, stigma, stereotyping, unrealistic expectations and some media coverage "
                "can all feed into clinician burnout."
            ),
            "description_source": _described_by_hub("society-and-culture"),
        },
        {
            "slug": "rules-and-regulations",
            "parent": "external-factors",
            "name": "Rules & Regulations",
            "order": 2,
            "description": (
                "Accreditation, licensing, insurance policies, reimbursement and the risk of "
                "being sued can add pressure and stress to clinicians' work."
            ),
            "description_source": _described_by_hub("rules-and-regulations"),
        },
        {
            "slug": "organizational-factors",
            "parent": "external-factors",
            "name": "Organizational Factors",
            "order": 3,
            "description": (
                "How an organization is led, its culture and policies, and the health care "
                "responsibilities it asks of clinicians can weigh heavily on burnout and "
                "well-being."
            ),
            "description_source": _described_by_hub("organizational-factors"),
        },
        {
            "slug": "learning-practice-environment",
            "parent": "external-factors",
            "name": "Learning/Practice Environment",
            "order": 4,
            "description": (
                "The physical and social features of the places where care is given and "
                "learned, from electronic health records and documentation requirements to "
                "teamwork; for learners, research suggests that half of all medical students "
                "may be affected by burnout during their medical education."
            ),
            "description_source": _described_by_hub("practice-environment", "learning-environment"),
            "note": (
                "The Knowledge Hub files resources under two separate topics: Learning "
                "Environment and Practice Environment."
            ),
        },
        {
            "slug": "health-care-responsibilities",
            "parent": "individual-factors",
            "name": "Health Care Responsibilities",
            "order": 5,
        },
        {
            "slug": "personal-factors",
            "parent": "individual-factors",
            "name": "Personal Factors",
            "order": 6,
            "description": (
                "Conflict in the family, work and life that are hard to fit together without "
                "support, and stress can make burnout more likely or worse."
            ),
            "description_source": _described_by_hub("personal-factors"),
        },
        {
            "slug": "skills-and-abilities",
            "parent": "individual-factors",
            "name": "Skills & Abilities",
            "order": 7,
        },
    ),
    # The only two sub-factors readable in the figure's transcript. The others
    # must be entered by staff from the published figure, never from memory.
    *_rows(
        {**_READ_IN_PDF, "kind": SUB_FACTOR, "parent": "organizational-factors"},
        {
            "slug": "professional-development-opportunities",
            "name": "Professional development opportunities",
            "order": 1,
        },
        {"slug": "scope-of-practice", "name": "Scope of practice", "order": 2},
    ),
    # The centre of the figure, nested in this order. A separate list of
    # outcomes was not found.
    *_rows(
        {**_LABELS, "kind": OUTCOME},
        {"slug": "clinician-well-being", "name": "Clinician Well-Being", "order": 1},
        {
            "slug": "clinician-patient-relationship",
            "name": "Clinician-Patient Relationship",
            "order": 2,
        },
        {"slug": "patient-well-being", "name": "Patient Well-Being", "order": 3},
    ),
]
