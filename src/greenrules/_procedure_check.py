"""What ``greenrules check`` can say about a pack's procedure beyond what loading it checks.

Loading checks the procedure against its own pack; this checks it against the pack stack and
its example: every clause a step or check hands to the applicant rules is cited by some rule
of the stack (else the step would apply to everyone and the check find nothing), and the
example round records the procedure names load and give a status.
"""

from __future__ import annotations

from greenrules._io.round_records import load_round_records
from greenrules._round import PROBE_TIER, example_records, round_status
from greenrules._rules.packs import Pack
from greenrules._rules.registry import Registry
from greenrules.exceptions import GreenrulesError


def procedure_problems(pack: Pack, registry: Registry) -> list[tuple[str, str, str]]:
    """Problems of the pack's procedure as ``(code, where, message)``; none without one."""
    procedure = pack.procedure
    if procedure is None:
        return []
    out: list[tuple[str, str, str]] = []
    round_ = max(pack.rounds)
    cited: set[str] = set()
    installed = registry.stacks(pack.jurisdiction, round_)  # a missing one: check names it
    for programme in installed if PROBE_TIER in pack.tiers else ():
        ruleset = registry.ruleset(
            jurisdiction=pack.jurisdiction, round=round_, tier=PROBE_TIER, programme=programme
        )
        cited |= {rule.clause for rule in ruleset.rules}
    wanted = [(s.id, c) for s in procedure.steps for c in (*s.applies_if, *s.owed_if_failed)]
    wanted += [(k.id, c) for k in procedure.checks for c in k.rules]
    for where, clause in wanted:
        if clause not in cited:
            msg = f"no {PROBE_TIER}-tier rule of the pack stack cites {clause}"
            out.append(("procedure-rules", f"{pack.id} procedure {where}", msg))
    if procedure.example_records is not None:
        try:
            records = load_round_records(example_records(pack))
            round_status(
                records,
                jurisdiction=pack.jurisdiction,
                round=records.round,
                as_of=pack.evaluation_dates[records.round],
                registry=registry,
            )
        except (GreenrulesError, KeyError) as exc:
            out.append(("procedure-example", f"{pack.id} {procedure.example_records}", str(exc)))
    return out
