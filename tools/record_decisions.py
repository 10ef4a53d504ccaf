"""Write the fingerprint of every decision of the bundled packs (example round, pack cases) as JSON.

Run before and after a change that must not change decisions (repackaging the criteria), then
compare; tests/test_decisions_unchanged.py compares against the record in tests/data.

    .venv/bin/python tools/record_decisions.py tests/data/decisions.json
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import greenrules as gr
from decision_record import fingerprint, record

data = record(gr.default_registry())
text = json.dumps(fingerprint(data), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
Path(sys.argv[1]).write_text(text, encoding="utf-8")
print(f"{len(data['example_round'])} example-round decisions, {len(data['cases'])} case decisions")
