"""The columnar engine: whole populations as polars columns, and the SQL plan for Spark.

Owns reading tables (frames, records, CSV, Parquet), checking them column by column with the
models' problem codes, compiling rule sets into polars expressions and SQL, and the result
table. It may use every part below it (model, rules, decision, engines, io) and never imports
the command line or the public facade; only the facade ``api`` is imported without polars.
"""
