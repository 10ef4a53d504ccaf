"""The per-record engines: generated native code, the closure interpreter and Rete.

Owns compiling a rule set for one record at a time, the arguments every entry point shares and
building decisions from any engine's verdicts. It reads the model, the rules and decisions and
never imports the columnar engine, a file format or the command line; only ``rete`` imports
durable_rules, and only when asked for.
"""
