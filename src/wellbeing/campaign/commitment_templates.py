"""Starting points for common commitments: a title, a goal and a first metric to adapt.

These are the campaign's own suggestions in our own words, not text of the National
Plan. Each points at a priority area by its public slug from ``plan/data.py``
(``tests/campaign`` checks the slugs exist); none names a recommended action,
because the Plan's actions for these areas were not readable in our sources.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CommitmentTemplate:
    slug: str
    title: Promise  # the text fields are offered in the visitor's language
    priority_area: str  # plan.PriorityArea slug
    goal_statement: Promise
    metric_name: Promise
    metric_unit: Promise | str
    metric_direction: str  # Metric.Direction value
    source: str = ""  # where the measure is described, shown next to the template


TEMPLATES: tuple[CommitmentTemplate, ...] = (
    CommitmentTemplate(
        slug="reduce-burnout-rate",
        title=_("Reduce the burnout rate"),
        priority_area="measurement-assessment-strategies-and-research",
        goal_statement=_(
            "Measure burnout among our health workers with the single-item burnout measure at "
            "least once a year and lower the share who report burnout."
        ),
        metric_name=_("Share of respondents reporting burnout (single-item burnout measure)"),
        metric_unit="%",
        metric_direction="decrease",
        source=(
            "Dolan ED et al. Using a single item to measure burnout in primary care staff: a "
            "psychometric evaluation. J Gen Intern Med 2015;30(5):582-587."
        ),
    ),
    CommitmentTemplate(
        slug="appoint-chief-wellness-officer",
        title=_("Appoint a chief wellness officer"),
        priority_area="well-being-as-a-long-term-value",
        goal_statement=_(
            "Make one executive accountable for health worker well-being by appointing a chief "
            "wellness officer who reports to senior leadership."
        ),
        metric_name=_("Chief wellness officer in post (1 = yes, 0 = no)"),
        metric_unit=_("yes/no"),
        metric_direction="increase",
        source=(
            "Sinsky C et al. Organizational Evidence-Based and Promising Practices for Improving "
            "Clinician Well-Being. NAM Perspectives, 2020 (leadership domain)."
        ),
    ),
    CommitmentTemplate(
        slug="remove-intrusive-mental-health-questions",
        title=_("Remove intrusive mental-health questions from credentialing applications"),
        priority_area="compliance-regulatory-and-policy-barriers",
        goal_statement=_(
            "Review our credentialing and privileging applications and remove questions about "
            "past mental health conditions or treatment, so that health workers are not "
            "deterred from seeking care."
        ),
        metric_name=_(
            "Credentialing application forms that still ask intrusive mental-health questions"
        ),
        metric_unit=_("forms"),
        metric_direction="decrease",
    ),
)

BY_SLUG = {template.slug: template for template in TEMPLATES}
