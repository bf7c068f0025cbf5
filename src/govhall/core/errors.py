"""Domain errors carry a stable code, a message in Chinese and English, and the field at fault."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    code: str
    message_zh: str
    message_en: str
    field: str = ""
    row: int | None = None
    column: str = ""

    def as_dict(self) -> dict:
        data = {"code": self.code, "message_zh": self.message_zh, "message_en": self.message_en,
                "field": self.field}
        if self.row is not None:
            data["row"] = self.row
            data["column"] = self.column
        return data

    def __str__(self) -> str:
        where = f"[{self.field}] " if self.field else ""
        if self.row is not None:
            where = f"row {self.row}, column {self.column}: "
        return f"{where}{self.message_zh} / {self.message_en}"


@dataclass
class DomainError(Exception):
    """Raised by services; ``problems`` lists every problem found, not only the first."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__("; ".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, code: str, zh: str, en: str, field: str = "") -> DomainError:
        return cls([Problem(code, zh, en, field)])


class NotFound(Exception):
    """What does not exist and what the actor may not see look the same."""


class Conflict(DomainError):
    """Someone else changed the object first."""
