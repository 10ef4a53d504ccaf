"""greenrules: China's green manufacturing policy as executable, cited, testable rules.

The public API is exactly what this module lists in ``__all__``; everything in a ``_`` module is
private and may change without notice. See ``docs/reference/api.md``.
"""

from ._columnar import evaluate_batches, evaluate_table, sql_plan
from ._decision import Decision, Finding, Priority, Provenance
from ._entities import (
    Applicant,
    EvaluationAgency,
    Factory,
    IndustrialPark,
    SupplyChainEnterprise,
)
from ._enums import Outcome, Programme, Status, Strength, Tier, Verdict
from ._evaluate import evaluate, evaluate_many
from ._loaders import entity_json_schema, load_entities
from ._packs import Pack, Predicate, load_pack
from ._ranking import rank
from ._registry import Registry, default_registry
from ._rules import Clause, Rule
from ._values import (
    AnnualReport,
    ChainRole,
    Conformity,
    EnergyPerformance,
    EvaluationReport,
    EvaluationRoute,
    Industry,
    ListMembership,
    Member,
    Standing,
    Waiver,
    WaterStatus,
)
from ._version import __version__
from ._workbook import write_summary
from .exceptions import (
    EngineUnavailableError,
    GreenrulesError,
    InputProblem,
    InvalidInputError,
    PackError,
    PackNotFoundError,
    PackProblem,
)

__all__ = [
    "AnnualReport",
    "Applicant",
    "ChainRole",
    "Clause",
    "Conformity",
    "Decision",
    "EnergyPerformance",
    "EngineUnavailableError",
    "EvaluationAgency",
    "EvaluationReport",
    "EvaluationRoute",
    "Factory",
    "Finding",
    "GreenrulesError",
    "IndustrialPark",
    "Industry",
    "InputProblem",
    "InvalidInputError",
    "ListMembership",
    "Member",
    "Outcome",
    "Pack",
    "PackError",
    "PackNotFoundError",
    "PackProblem",
    "Predicate",
    "Priority",
    "Programme",
    "Provenance",
    "Registry",
    "Rule",
    "Standing",
    "Status",
    "Strength",
    "SupplyChainEnterprise",
    "Tier",
    "Verdict",
    "Waiver",
    "WaterStatus",
    "__version__",
    "default_registry",
    "entity_json_schema",
    "evaluate",
    "evaluate_batches",
    "evaluate_many",
    "evaluate_table",
    "load_entities",
    "load_pack",
    "rank",
    "sql_plan",
    "write_summary",
]
