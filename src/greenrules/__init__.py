"""greenrules: China's green manufacturing policy as executable, cited, testable rules.

The public API is exactly what this module lists in ``__all__``; everything in a ``_`` module is
private and may change without notice. See ``docs/reference/api.md``.
"""

from greenrules._columnar.api import (
    compare,
    evaluate_batches,
    evaluate_spark,
    evaluate_table,
    sql_plan,
)
from greenrules._columnar.comparison import Comparison, EntityChange, RuleMove
from greenrules._columnar.comparison_workbook import write_comparison
from greenrules._columnar.result import ResultTable
from greenrules._decision.decision import Decision
from greenrules._decision.parts import Finding, Priority, Provenance, ReferenceValue
from greenrules._decision.questions import Question
from greenrules._decision.ranking import Ranked, Ranking, rank
from greenrules._decision.round_status import ItemState, RoundFinding, RoundItem, RoundStatus
from greenrules._evaluate import evaluate, evaluate_many
from greenrules._io.loaders import entity_json_schema, load_entities
from greenrules._io.round_records import load_round_records
from greenrules._io.round_template import write_round_template
from greenrules._io.round_workbook import write_round_status
from greenrules._io.template import write_template
from greenrules._io.template_read import TemplateLoad, load_template
from greenrules._io.workbook import write_summary
from greenrules._model.entities import (
    Applicant,
    EvaluationAgency,
    Factory,
    IndustrialPark,
    SupplyChainEnterprise,
)
from greenrules._model.enums import Outcome, Programme, Status, Strength, Tier, Verdict
from greenrules._model.round_records import (
    Actor,
    CitySubmission,
    Department,
    FormFiling,
    ListedUnit,
    Recommendation,
    RegionRecord,
    RoundRecords,
)
from greenrules._model.values import (
    AnnualReport,
    ChainRole,
    Conformity,
    EnergyPerformance,
    EvaluationReport,
    EvaluationRoute,
    Event,
    Industry,
    ListMembership,
    Member,
    Spell,
    Standing,
    Waiver,
    WaterStatus,
)
from greenrules._national import national_candidates, national_export
from greenrules._round import round_status
from greenrules._rules.packs import Pack, Predicate, load_pack
from greenrules._rules.registry import Registry, default_registry
from greenrules._rules.rules import Clause, PriorityLevel, Rule
from greenrules._version import __version__
from greenrules.exceptions import (
    EngineUnavailableError,
    GreenrulesError,
    InputProblem,
    InvalidInputError,
    PackError,
    PackNotFoundError,
    PackProblem,
)

__all__ = [
    "Actor",
    "AnnualReport",
    "Applicant",
    "ChainRole",
    "CitySubmission",
    "Clause",
    "Comparison",
    "Conformity",
    "Decision",
    "Department",
    "EnergyPerformance",
    "EngineUnavailableError",
    "EntityChange",
    "EvaluationAgency",
    "EvaluationReport",
    "EvaluationRoute",
    "Event",
    "Factory",
    "Finding",
    "FormFiling",
    "GreenrulesError",
    "IndustrialPark",
    "Industry",
    "InputProblem",
    "InvalidInputError",
    "ItemState",
    "ListMembership",
    "ListedUnit",
    "Member",
    "Outcome",
    "Pack",
    "PackError",
    "PackNotFoundError",
    "PackProblem",
    "Predicate",
    "Priority",
    "PriorityLevel",
    "Programme",
    "Provenance",
    "Question",
    "Ranked",
    "Ranking",
    "Recommendation",
    "ReferenceValue",
    "RegionRecord",
    "Registry",
    "ResultTable",
    "RoundFinding",
    "RoundItem",
    "RoundRecords",
    "RoundStatus",
    "Rule",
    "RuleMove",
    "Spell",
    "Standing",
    "Status",
    "Strength",
    "SupplyChainEnterprise",
    "TemplateLoad",
    "Tier",
    "Verdict",
    "Waiver",
    "WaterStatus",
    "__version__",
    "compare",
    "default_registry",
    "entity_json_schema",
    "evaluate",
    "evaluate_batches",
    "evaluate_many",
    "evaluate_spark",
    "evaluate_table",
    "load_entities",
    "load_pack",
    "load_round_records",
    "load_template",
    "national_candidates",
    "national_export",
    "rank",
    "round_status",
    "sql_plan",
    "write_comparison",
    "write_round_status",
    "write_round_template",
    "write_summary",
    "write_template",
]
