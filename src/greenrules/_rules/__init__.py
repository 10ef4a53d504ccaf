"""The rules: the condition language, criteria packs, the registry and the decision semantics.

Owns reading and checking pack folders, layering packs into rule sets, dated parameters and
reference tables, and how verdicts combine into a status. It reads the model and never imports
an engine, a decision, a file format or the command line.
"""
