"""The model: the entities greenrules evaluates and the values they are made of.

Owns the closed vocabularies (programme, tier, status...), the credit-code check, the pydantic
input models and the fact schema rules read off them. It knows no engine, no pack and no file:
it never imports another part of greenrules.
"""
