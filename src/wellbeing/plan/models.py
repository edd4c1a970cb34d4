"""The National Plan for Health Workforce Well-Being and the NAM conceptual model, as data.

Every row records where its facts come from (``source``, ``source_url``) and
how sure we are: ``verified`` (seen in the Plan, NAM's or the National Academies'
own pages) or ``secondary`` (seen only in a named secondary source, shown with
it). Public pages show only those two kinds of row (``is_public``); anything else
(a slot whose wording could not be read, a cut-off sentence) is for staff, who
complete it in the admin from the published Plan and find it on the completeness
page. Nothing here is filled in from memory.

Slugs are public, stable identifiers: later apps (campaign commitments, hub
resources, survey drivers) link to them, so the admin makes them read-only once
a row exists.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Sourced(models.Model):
    """Provenance shared by every row: where the fact was seen and how sure we are."""

    verified = models.BooleanField(
        default=False,
        help_text="Tick only when the text was checked against the cited source.",
    )
    secondary = models.BooleanField(
        default=False,
        help_text=(
            "Tick when the text was seen only in a named secondary source (a partner's page, "
            "a news item): public pages show it labelled with that source. A row neither "
            "verified nor secondary is shown to staff only."
        ),
    )
    source = models.CharField(
        max_length=500,
        blank=True,
        help_text="Document and chapter/page, e.g. 'National Plan, ch. 5, pp. 25-34'.",
    )
    source_url = models.URLField(max_length=500, blank=True)
    note = models.CharField(
        max_length=500,
        blank=True,
        help_text=(
            "Shown next to the item wherever it is shown, e.g. where else NAM files it. "
            "What is missing is listed on the staff completeness page, not here."
        ),
    )

    class Meta:
        abstract = True

    @property
    def is_public(self) -> bool:
        """Whether public pages show the row: checked in its source, or a named secondary one."""
        return self.verified or (self.secondary and bool(self.source))

    @staticmethod
    def public_filter(prefix: str = "") -> Q:
        """``is_public`` as a filter, on related rows too (``prefix="actions__"``)."""
        return Q(**{f"{prefix}verified": True}) | (
            Q(**{f"{prefix}secondary": True}) & ~Q(**{f"{prefix}source": ""})
        )


class ActorGroup(Sourced):
    """Who the Plan asks to act (a column of the Plan's action tables)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("plan:actor_group", kwargs={"slug": self.slug})


class PriorityAreaQuerySet(models.QuerySet["PriorityArea"]):
    def with_details(self) -> "PriorityAreaQuerySet":
        """Everything a priority-area page shows, in a fixed number of queries."""
        return self.prefetch_related(
            "actor_groups",
            "goals",
            models.Prefetch(
                "actions",
                queryset=RecommendedAction.objects.select_related("goal").prefetch_related(
                    "actor_groups"
                ),
            ),
        )


class PriorityArea(Sourced):
    number = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    goal_statement = models.TextField(
        blank=True,
        help_text="The area's one-sentence goal, word for word from the Plan. Empty if not yet checked.",
    )
    frontline_quote = models.TextField(
        blank=True,
        help_text=(
            "The quote from a frontline health worker that opens the chapter, word for word "
            "(its source is the chapter: source and source URL below). Empty if not read."
        ),
    )
    summary = models.TextField(blank=True, help_text="What the area is about, in our own words.")
    summary_source = models.CharField(max_length=500, blank=True)
    actor_groups = models.ManyToManyField(
        ActorGroup,
        blank=True,
        related_name="priority_areas",
        help_text="Actor groups named in this area's action tables.",
    )
    actor_groups_source = models.CharField(max_length=500, blank=True)
    content_complete = models.BooleanField(
        default=False,
        help_text="Tick when all goals, actions and actor groups of this area have been entered.",
    )

    objects = PriorityAreaQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=7), name="plan_priorityarea_number_1_to_7"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("plan:priority_area", kwargs={"slug": self.slug})


class Goal(Sourced):
    """A numbered goal under a priority area (actions are coded area.goal.letter)."""

    priority_area = models.ForeignKey(PriorityArea, on_delete=models.CASCADE, related_name="goals")
    number = models.PositiveSmallIntegerField()
    slug = models.SlugField(max_length=80, unique=True)
    text = models.TextField(blank=True, help_text="Word for word from the Plan. Empty if unknown.")

    class Meta:
        ordering = ["priority_area__number", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["priority_area", "number"], name="plan_goal_unique_number_per_area"
            )
        ]

    def __str__(self) -> str:
        return f"Goal {self.code}"

    def get_absolute_url(self) -> str:
        return f"{self.priority_area.get_absolute_url()}#{self.slug}"

    @property
    def code(self) -> str:
        """'3.2' for goal 2 of priority area 3 (select_related the area to avoid a query)."""
        return f"{self.priority_area.number}.{self.number}"


class RecommendedAction(Sourced):
    priority_area = models.ForeignKey(
        PriorityArea, on_delete=models.CASCADE, related_name="actions"
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    order = models.PositiveSmallIntegerField(default=0)
    slug = models.SlugField(max_length=80, unique=True)
    code = models.CharField(
        max_length=12, blank=True, help_text="The Plan's number, e.g. 3.2.A. Empty if unknown."
    )
    text = models.TextField()
    actor_groups = models.ManyToManyField(ActorGroup, blank=True, related_name="actions")
    actor_groups_source = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["priority_area__number", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="plan_action_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.code or self.slug

    def get_absolute_url(self) -> str:
        return f"{self.priority_area.get_absolute_url()}#{self.slug}"


class PublicationFact(Sourced):
    """A short labelled fact about the Plan or the conceptual model, shown as a list."""

    class Subject(models.TextChoices):
        NATIONAL_PLAN = "national-plan", "National Plan"
        ACTOR_GROUPS = "actor-groups", "Actor groups"
        CONCEPTUAL_MODEL = "conceptual-model", "Conceptual model"

    subject = models.CharField(max_length=20, choices=Subject.choices)
    slug = models.SlugField(max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=120)
    value = models.TextField()
    value_url = models.URLField(
        max_length=500, blank=True, help_text="Optional link for the value."
    )

    class Meta:
        ordering = ["subject", "order"]

    def __str__(self) -> str:
        return f"{self.get_subject_display()}: {self.label}"


class ModelElement(Sourced):
    """One box of the conceptual model "Factors Affecting Clinician Well-Being and Resilience".

    A tree: factor groups (external, individual) > domains > sub-factors, plus
    the outcomes at the centre of the figure. One table so that later apps can
    point a single foreign key at any level.
    """

    class Kind(models.TextChoices):
        GROUP = "group", "Factor group"
        DOMAIN = "domain", "Factor domain"
        SUB_FACTOR = "sub_factor", "Sub-factor"
        OUTCOME = "outcome", "Outcome (centre of the model)"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True, help_text="In our own words.")
    description_source = models.CharField(
        max_length=500,
        blank=True,
        help_text="What the description is based on (URLs become links).",
    )
    children_complete = models.BooleanField(
        default=False,
        help_text="For a domain: tick when all its sub-factors from the published figure are entered.",
    )

    class Meta:
        ordering = ["kind", "order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('plan:conceptual_model')}#{self.slug}"
