"""Confirming an import's dry run as a person does whose file holds the instrument's own codes.

A dry run uses no answer of an instrument until its answer scale is confirmed on the page
(``imports.codes``). Tests of other parts of the import (reading files, keys, completeness)
confirm with ``confirmed_as_codes``: every item value that is one of the instrument's codes
means that code, a label means the answer it matched; units and demographic answers are
only ever matched by name, so this changes nothing of them.
"""

from wellbeing.surveys.imports import run
from wellbeing.surveys.imports.codes import ITEMS
from wellbeing.surveys.imports.mapping import Checked, Mapping


def confirmed_as_codes(mapping: Mapping, checked: Checked) -> Mapping:
    """``mapping`` with every answer scale of ``checked`` confirmed as the instrument's codes."""
    data = mapping.to_json()
    for block in checked.blocks:
        if block.kind != ITEMS:
            continue
        answers = {c.value for c in block.choices}
        chosen = {
            f.value: f.proposed or f.value
            for f in block.values
            if (f.proposed or f.value) in answers
        }
        data["codes"][block.key] = {**chosen, **data["codes"].get(block.key, {})}
        data["confirmed"][block.key] = block.columns
    return Mapping.from_json(data)


def dry_run_as_codes(*, job, mapping: Mapping, actor, **options) -> Checked:
    """``run.dry_run``, then again with the answer scales confirmed as the instrument's codes."""
    checked = run.dry_run(job=job, mapping=mapping, actor=actor, **options)
    if not checked.pending:
        return checked
    return run.dry_run(
        job=job, mapping=confirmed_as_codes(mapping, checked), actor=actor, **options
    )
