"""Who is who in Kontakter for the year's documents: the board in role order, auditors, committee."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Contact, Register, Role

# The board as the Verksamhetsberättelse lists it and a protokoll's Närvarande shows it.
BOARD_ROLES = (
    Role.ORDFORANDE,
    Role.VICE_ORDFORANDE,
    Role.KASSOR,
    Role.SEKRETERARE,
    Role.LEDAMOT,
    Role.SUPPLEANT,
)
# Suppleanter step in for absent members; they do not sign the board's account of the year.
SIGNING_ROLES = BOARD_ROLES[:-1]
AUDIT_ROLES = (Role.REVISOR, Role.REVISORSSUPPLEANT)
NOMINATING_ROLES = (Role.VALBEREDNING,)


def people(register: Register, roles: Sequence[Role]) -> list[Contact]:
    """The named contacts holding one of `roles`, in the order of `roles`, then register order."""
    rank = {role: i for i, role in enumerate(roles)}
    found = [c for c in register.contacts if c.role in rank and c.name.strip()]
    return sorted(found, key=lambda c: rank[c.role] if c.role else 0)


def holder(register: Register, role: Role) -> str:
    """The name of the first contact holding `role`, or "" when Kontakter names none."""
    return next((c.name.strip() for c in people(register, (role,))), "")


def person(contact: Contact) -> dict[str, str]:
    """A contact as the year's documents show it: name, role and kommun."""
    role = contact.role.value if contact.role else contact.role_text
    return {"name": contact.name.strip(), "role": role, "municipality": contact.municipality}
