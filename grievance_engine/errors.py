"""Errors a person can fix, said in the language of whoever reads them.

A `DomainError` carries a `code` and its parameters. Its text (what the CLI prints) is
the phrase `error.<code>` of the English `dashboards` catalogue; a page shows the same
phrase in its reader's language (`dashboards.i18n.error`). Codes read
`<subject>_<problem>` ("email_taken", "district_required"): the subject is the input at
fault, so a form can put the message beside that field.
"""

from __future__ import annotations

from grievance_engine import languages, translations

DOMAIN = "dashboards"


class DomainError(ValueError):
    """Something given cannot be accepted; `code` and `params` say what, in any language."""

    def __init__(self, code: str, /, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(translations.text(languages.SOURCE, DOMAIN, self.key, values=params))

    @property
    def key(self) -> str:
        """The catalogue phrase that says it."""
        return f"error.{self.code}"

    @property
    def subject(self) -> str:
        """The input at fault: "email" for "email_taken"."""
        return self.code.partition("_")[0]
