"""What the checks report: positions and kinds, never a copy of the text, so
redacting the text later leaves nothing behind."""

from __future__ import annotations

from dataclasses import dataclass

LABELS = {
    "nhs_number": "NHS number",
    "ni_number": "National Insurance number",
    "postcode": "Postcode",
    "pupil_number": "Unique Pupil Number",
    "date_of_birth": "Date of birth",
    "age": "Age",
    "phone": "Phone number",
    "email": "Email address",
    "name": "Name",
    "address": "House address",
    "case_reference": "Case reference",
}


@dataclass(frozen=True, order=True)
class Finding:
    start: int
    end: int
    kind: str

    @property
    def label(self) -> str:
        return LABELS.get(self.kind, self.kind)
