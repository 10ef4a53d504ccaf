# The README's two commands are `make demo` and `make test`; both create the environment if needed.
PYTHON_BIN ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell $(PYTHON_BIN) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: demo test test-py313 test-print test-spark lint bench bench-openfisca bench-spark clean

$(STAMP): pyproject.toml tests/example_pack/pyproject.toml
	$(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install $(PIP_QUIET) --upgrade pip
	$(PY) -m pip install $(PIP_QUIET) -e ".[dev]" -e tests/example_pack
	touch $(STAMP)

# The demo runs in an environment of its own with greenrules alone, as a user installs it: the
# test environment also holds the worked example pack (cn-xp), which users never see.
DEMO_VENV := .venv-demo
$(DEMO_VENV)/.installed: pyproject.toml
	$(PYTHON_BIN) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install $(PIP_QUIET) --upgrade pip
	$(DEMO_VENV)/bin/python -m pip install $(PIP_QUIET) -e .
	touch $@

# The ranked list of each programme, then the summary workbook a city bureau files. Each unit's
# cited explanation: `.venv-demo/bin/greenrules demo --lang zh --explain`.
demo: $(DEMO_VENV)/.installed
	$(DEMO_VENV)/bin/greenrules demo --lang zh
	mkdir -p out
	$(DEMO_VENV)/bin/greenrules demo --format xlsx --lang zh --out out/summary-2025.xlsx
	@echo "summary workbook: out/summary-2025.xlsx"
	@echo "explanations: $(DEMO_VENV)/bin/greenrules demo --lang zh --explain"

test: $(STAMP)
	$(PY) -m pytest -q $(PYTEST_ARGS)

# The suite on Python 3.13, where durable-rules cannot import: the rete engine must refuse cleanly.
# The slow tests (a pack author's whole loop, the printed PDF) run once, on the default Python.
# Found on PATH or through pyenv; skipped with a message where neither has it.
PY313 := $(shell for c in "$$(pyenv prefix 3.13 2>/dev/null | head -n 1)/bin/python3.13" python3.13; do \
	"$$c" --version >/dev/null 2>&1 && { command -v "$$c"; break; }; done)

test-py313:
	@if [ -n "$(PY313)" ] && [ -x "$(PY313)" ]; then \
		$(MAKE) test PYTHON_BIN=$(PY313) VENV=.venv-py313 PYTEST_ARGS='-m "not slow"'; \
	else \
		echo "test-py313: skipped, no Python 3.13 on PATH or in pyenv"; \
	fi

# The summary workbook printed to PDF by LibreOffice headless and read back with pdftotext. The
# tools (and a CJK font) are installed with apt-get when missing, only as root; else the test skips.
PRINT_TOOLS := libreoffice-calc poppler-utils fonts-wqy-microhei

test-print: $(STAMP)
	@if ! command -v soffice >/dev/null || ! command -v pdftotext >/dev/null \
		|| ! { command -v fc-list >/dev/null && fc-list :lang=zh | grep -q .; }; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -q --no-install-recommends $(PRINT_TOOLS); \
		else \
			echo "test-print: cannot install $(PRINT_TOOLS) (needs root and apt-get)"; \
		fi; \
	fi
	$(PY) -m pytest -q -rs tests/test_print_pdf.py

LINTED := src criteria tests benchmarks tools

lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) benchmarks/run.py

# The columnar engine's yardstick: the same decision written in OpenFisca, timed on the same records. In a
# venv of its own: openfisca-core is not a dependency of greenrules.
OPENFISCA_VENV := .venv-openfisca
$(OPENFISCA_VENV)/.installed: pyproject.toml
	$(PYTHON_BIN) -m venv $(OPENFISCA_VENV)
	$(OPENFISCA_VENV)/bin/python -m pip install $(PIP_QUIET) "openfisca-core>=46,<47" -e ".[columnar,testing]"
	touch $@

bench-openfisca: $(OPENFISCA_VENV)/.installed
	$(OPENFISCA_VENV)/bin/python benchmarks/openfisca.py

# The SQL plan on a real Spark session (local, on this machine): a venv of its own, so that `make test`
# does not download PySpark. The test skips, saying why, where Java is missing.
SPARK_VENV := .venv-spark
$(SPARK_VENV)/.installed: pyproject.toml
	$(PYTHON_BIN) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install $(PIP_QUIET) "pytest>=8" -e ".[spark,testing]"
	touch $@

test-spark: $(SPARK_VENV)/.installed
	$(SPARK_VENV)/bin/python -m pytest -q -p no:cacheprovider tests/test_spark.py

bench-spark: $(SPARK_VENV)/.installed
	$(SPARK_VENV)/bin/python benchmarks/spark.py

clean:
	rm -rf $(VENV) $(DEMO_VENV) .venv-py313 $(OPENFISCA_VENV) $(SPARK_VENV) .pytest_cache .hypothesis
