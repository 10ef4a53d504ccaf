"""Decisions: what an evaluation returns, its parts, its words and how decisions are ranked.

Owns :class:`~greenrules.Decision` and its findings, priority and provenance, the stored dict
shape, the one table of status, verdict, programme and tier words, and the explanation. It
reads the model and the rules and never imports an engine, a file format or the command line.
"""
