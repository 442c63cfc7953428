"""The one error hierarchy of aenc.

Every error a user can cause is an AencError whose message names the item, the problem and
the fix. ``graph/`` never knows HTTP: ``server.py`` maps these classes to status codes in one
table. Errors that are *our* bugs are not AencErrors and surface as 500s with a log entry.
"""
from __future__ import annotations


class AencError(Exception):
    """Base class of every error aenc reports to a person."""

    #: short machine-readable kind, used in the JSON error shape
    kind = "error"

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class DataLoadError(AencError):
    """A data, ontology or shapes file could not be read or parsed."""

    kind = "data-load"

    def __init__(self, message: str, *, path: str, line: int | None = None, hint: str | None = None):
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}", hint=hint)
        self.path = path
        self.line = line


class UnknownTermError(AencError):
    """The data uses a term of the aenc vocabulary that the ontology does not declare."""

    kind = "unknown-term"

    def __init__(self, terms: list[tuple[str, str]]):
        lines = "\n".join(f"  {where}: {term}" for term, where in terms)
        super().__init__(
            f"{len(terms)} term(s) used in the data are not declared in the ontology:\n{lines}",
            hint="fix the spelling, or declare the term in ontology/aenc.ttl with a label and definition",
        )
        self.terms = terms


class ValidationFailed(AencError):
    """The asserted data does not conform to the SHACL shapes."""

    kind = "validation"

    def __init__(self, report_text: str, violations: int):
        super().__init__(f"the data does not conform to the shapes: {violations} violation(s)\n{report_text}")
        self.report_text = report_text
        self.violations = violations


class OntologyCheckFailed(ValidationFailed):
    """The ontology breaks one of its own rules (a term without label or definition, a header gap)."""

    kind = "ontology-qc"

    def __init__(self, problems: list[str]):
        text = "\n".join(f"  {p}" for p in problems)
        super().__init__(text, len(problems))
        self.message = f"the ontology fails {len(problems)} quality check(s):\n{text}"
        self.hint = "fix each term named above in ontology/aenc.ttl"
        self.args = (self.message,)


class InconsistentGraphError(AencError):
    """OWL 2 RL reasoning found a contradiction (e.g. an individual in two disjoint classes)."""

    kind = "inconsistent"

    def __init__(self, explanations: list[str]):
        body = "\n".join(f"  - {e}" for e in explanations)
        super().__init__(
            f"the graph is inconsistent with the ontology ({len(explanations)} problem(s)):\n{body}",
            hint="fix the triples named above; an individual cannot be in two disjoint classes",
        )
        self.explanations = explanations


class QueryError(AencError):
    """A SPARQL query or one of its parameters was refused."""

    kind = "query"


class QuerySyntaxError(QueryError):
    """The query text is not valid SPARQL 1.1."""

    kind = "query-syntax"

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        where = f" at line {line}, column {column}" if line else ""
        super().__init__(f"SPARQL syntax error{where}: {message}")
        self.line = line
        self.column = column


class QueryRefused(QueryError):
    """The query is valid SPARQL but uses a feature this read-only endpoint refuses."""

    kind = "query-refused"


class QueryTimeout(QueryError):
    """The query ran longer than its time limit and was stopped."""

    kind = "query-timeout"


class QueryMemoryLimit(QueryError):
    """The query needed more memory than a query worker may use, and was stopped."""

    kind = "query-memory"


class ParameterError(QueryError):
    """A named query parameter, or a request parameter, is missing or has a bad value."""

    kind = "parameter"


class NotFound(AencError):
    """A named query, graph or resource does not exist."""

    kind = "not-found"


class StoreError(AencError):
    """A configured store (on disk or remote) cannot be reached or used."""

    kind = "store"
