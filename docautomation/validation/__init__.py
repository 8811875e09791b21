"""Validation: the rules over the read register, and the Valideringsrapport that shows them."""
