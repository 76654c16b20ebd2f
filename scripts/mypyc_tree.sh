#!/bin/bash
# Build a scratch copy of this tree with the reader workers' per-note modules compiled by mypyc
# (round 36, mypyc36; an experiment, not the project's build). Usage:
#   scripts/mypyc_tree.sh DEST [COMMIT]      # DEST/main gets `git archive COMMIT` (default HEAD)
# then run a bench from DEST/main with ITS src first: bench/ingest.py and bench/dump_store.py do
# not put it on sys.path themselves, and without PYTHONPATH the venv's editable install
# (/work/main/src) is what runs:
#   cd DEST/main && PYTHONPATH=$PWD/src nice /work/main/.venv/bin/python bench/ingest.py \
#       --generated 10000 --workers 2 --json
# Check with: PYTHONPATH=DEST/main/src python -c 'import grimoire.ingest as i; print(i.__file__)'
# (a .so). Edits to DEST's .py files do nothing until this script is run again.
# Needs mypy (which ships mypyc), setuptools, gcc and the Python headers. Takes 3 min of CPU.
set -euo pipefail
dest=$(realpath -m "$1"); commit=${2:-HEAD}
py=${PYTHON:-/work/main/.venv/bin/python}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dest"
rm -rf "$dest/main"
git -C "$here" archive "$commit" --prefix=main/ | tar -x -C "$dest"
[ -e "$dest/shared" ] || ln -sfn "$(realpath "$here/../shared")" "$dest/shared"
cd "$dest/main/src"
# Two module constants mypyc cannot type across the readers' import cycle without an annotation
# ("Cannot determine type of WORD"); the annotation changes nothing at run time.
sed -i 's/^WORD = re.compile(r"\\w+")$/WORD: re.Pattern[str] = re.compile(r"\\w+")/' \
    grimoire/readers/conventions.py
sed -i 's/^WORD = conventions.WORD$/WORD: re.Pattern[str] = conventions.WORD/' \
    grimoire/readers/html/_source.py
# Left as Python:
# - notebook.py: "Surrogate codepoints in string literals not supported" (_SURROGATE's pattern);
# - markdown/_frontmatter.py: _Loader subclasses yaml.CSafeLoader (a C type); compiled as a
#   native class it builds, then segfaults in CParser.__init__ at the first front matter;
# - rst/_sphinx.py, mediawiki/__init__.py, pdf.py: classes that subclass docutils, xml.sax and
#   logging classes (same risk as _Loader; not tried);
# - model.py: mypyc keeps only the runtime class of each annotation (`tuple[Link, ...]` becomes
#   `tuple`, `str | None` becomes `type`), so codec.from_data, which decodes stored entries by
#   their type hints, passes lists where tuples are due ("TypeError: tuple object expected;
#   got list", tests/readers/test_api_refs.py).
excl='notebook\.py|_frontmatter\.py|rst/_sphinx\.py|mediawiki/__init__\.py|readers/pdf\.py'
files="$(find grimoire/readers -name '*.py' | grep -Ev "$excl" | sort)
grimoire/names.py grimoire/fences.py grimoire/ingest.py grimoire/files.py
grimoire/codec.py grimoire/store/document_rows.py grimoire/store/records.py"
# shellcheck disable=SC2086
nice "$py" -m mypyc $files > "$dest/mypyc_build.log" 2>&1 || { tail -20 "$dest/mypyc_build.log"; exit 1; }
rm -rf build
echo "compiled: $(find grimoire -name '*.so' | wc -l) extension modules in $dest/main/src"
