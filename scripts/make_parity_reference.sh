#!/usr/bin/env bash
# Builds the reference for the preprocessing parity check (eval/parity.py, tests/test_parity.py):
# IndicTransToolkit 1.1.1 in a virtual environment of its own. It cannot live in the project's
# environment: it ships a fork of indic-nlp-library under the same module name (`indicnlp`), and
# installing it there would replace the library that translate-kit uses.
#
#   scripts/make_parity_reference.sh [DIR]        # default DIR: .venv-reference
#   export TRANSLATE_KIT_REFERENCE_PYTHON=DIR/bin/python
set -euo pipefail
dir="${1:-.venv-reference}"
python3 -m venv "$dir"
"$dir/bin/python" -m pip install -q --upgrade pip
"$dir/bin/python" -m pip install -q 'indictranstoolkit==1.1.1' 'transformers<5'
"$dir/bin/python" -c "from IndicTransToolkit import IndicProcessor; IndicProcessor(inference=True)"
echo "export TRANSLATE_KIT_REFERENCE_PYTHON=$(cd "$dir" && pwd)/bin/python"
