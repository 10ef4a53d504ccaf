"""Files in and out: loading entities, the summary workbook, progress and whole-file writing.

Owns every format a person opens (JSON, CSV, XLSX) and the all-or-nothing writer every output
goes through. It reads the model, the rules and decisions and never imports an engine or the
command line.
"""
