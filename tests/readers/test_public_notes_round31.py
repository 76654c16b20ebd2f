"""Round 31: what eight more public repositories of notes (paper notes beside notebooks, a
glossary project, a course's exam notes in HTML and PDF, a Spanish-language MkDocs wiki, an
Obsidian vault of design notes and solved problems, a Polish and English vault of book notes, a
folder of notebooks and training logs, a Logseq graph with Zotero) gave as concepts, wanted
pages and lint findings, each shape rebuilt here in our own words.

- Parts of a page were concepts or notes' names: "Key idea", "Derivation", "Why This Matters",
  "Primary sources", a notebook's "Cell 2: ...", a Spanish wiki's "Bibliografía" (five pages
  were named so) and "Introducción".
- A cheat sheet's numbered boxes ("1 · Decision Trees & ID3") and solved problems' numbers
  ("0003. Longest Substring ...") stayed in the names; its headings glossed after a dash ("PCA
  — variance via orthogonal axes") named their concepts with the gloss.
- A notebook's first heading, a sentence ("`p` is an unnormalized density which ..."), was its
  name.
- 31 notes `Summary.md`, one a chapter of a book, were 31 concepts "Summary"; a Logseq graph's
  `MOC.md`, its four paper templates (`tags:: template`) and its PDF-highlight pages
  (`hls__...`) were concepts.
- A paragraph with display math whose formula has a line "=" became a level-1 heading, and the
  note's title, its formula mangled.
- A dev-requirements file with a comment after a pin, and training logs ("torch 1.10.0", then
  "Epoch: 001/001 | Loss: 0.26") were concepts.
- A PDF of a paper listed 20 problems, one a font, each a screen of its dictionary; an
  exam's worked solutions in PDF gave 14 arithmetic findings, all false (exponents and
  fraction bars laid flat: 0.5 squared reads "0.52"); 45 PDFs a clone holds as Git LFS
  pointers each "failed: damaged or not a PDF"; notes printed to PDF or exported to HTML
  titled by their files ("gd_on_quadratics.md") were concepts of that name.
- Lint: "20·(4.605+4.605)=184.2" was read from the parenthesis on, "2+1=2n(n+1)" and "$9/9 =
  100$th" as numbers, "58 ·82 37" (a lost subscript) as a product, "4096x4096 = 16M" as wrong;
  55 links to deleted Zotero literature notes (`[[@Paper Title]]`) were wanted pages; and
  `kb.wanted()` listed `[[Source]]` and `[[See here]]` that lint calls dead links.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grimoire.knowledge import Grimoire
from grimoire.lint.arithmetic import wrong_claims
from tests.readers.conftest import labels, notebook, write_notes


def test_parts_of_a_page_name_no_concept(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "infomax.md": "### Key idea\n\nA bound on mutual information can be maximised by "
                      "gradient ascent when the quantity itself cannot be computed.\n\n"
                      "### Critic functions\n\nA critic function scores pairs of views and is "
                      "trained to tell matched pairs from mismatched ones.\n",
        "forms.md": "# Quadratic Forms\n\nA quadratic form is a polynomial whose terms all have "
                    "degree two.\n\n## Why This Matters\n\nEvery loss near its minimum looks "
                    "like one, so curvature is read from it.\n\n## Derivation\n\nExpanding "
                    "the product term by term gives the sum over pairs of indices.\n\n"
                    "## Primary sources\n\nThe textbook's second chapter treats it in full.\n",
        "wiki/jax.md": "# Bibliografía\n\n- Un libro sobre JAX y sus transformaciones.\n\n"
                       "# JAX\n\nJAX es una biblioteca que transforma funciones numéricas.\n",
        "wiki/intro.md": "# Apuntes\n\n## Introducción\n\nEsta guía reúne lo que aprendí sobre "
                         "redes neuronales y su entrenamiento.\n",
        # ... and a section that opens with its "Introducción" is still an entry
        "wiki/cuda.md": "# CUDA\n\nCUDA es la plataforma de NVIDIA para programar la GPU.\n\n"
                        "## Herramientas de Python\n\n### Numba\n\n#### Introducción\n\nNumba "
                        "es un compilador que traduce funciones de Python a código de máquina."
                        "\n\n#### Ejemplo\n\nUn decorador compila la función la primera vez "
                        "que se llama.\n",
        "analysis.ipynb": notebook(
            ("markdown", "# Glossary Analysis\n\nClustering the glossary's terms."),
            ("markdown", "## Cell 2: Semantic Clustering (TF-IDF + KMeans)\n\nTerms are "
                         "grouped by the words their definitions share."),
            ("code", "groups = cluster(terms)")),
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert not {"Key idea", "Why This Matters", "Derivation", "Primary sources", "Bibliografía",
                "Introducción"} & found
    assert not any(f.startswith("Cell 2") for f in found)
    assert {"infomax", "Critic functions", "Quadratic Forms", "Glossary Analysis", "Numba"} <= found
    assert "Ejemplo" not in found


def test_numbers_and_glosses_are_no_part_of_a_name(kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "cheatsheet.md": "# Unit 3 Cheat Sheet\n\n## 1 · Decision Trees & ID3\n\nA decision "
                         "tree splits the data on one feature at a time, picking the split "
                         "that gains the most information.\n\n## PCA — variance via orthogonal "
                         "axes\n\nPCA projects the data onto the orthogonal directions of "
                         "largest variance.\n\n## Evaluation — Imbalanced Data\n\nAccuracy "
                         "misleads when one class is rare.\n",
        "problems/0042. Trapping Rain Water.md": "# 0042. Trapping Rain Water\n\nTrapping "
                                                 "rain water asks how much water bars of given "
                                                 "heights hold after rain.\n",
    })
    kb.ingest([notes], embed=False)
    found = labels(kb)
    assert {"Decision Trees & ID3", "PCA", "Trapping Rain Water"} <= found
    assert not {"1 · Decision Trees & ID3", "PCA — variance via orthogonal axes",
                "0042. Trapping Rain Water"} & found
    assert kb.concept("0042. Trapping Rain Water").label == "Trapping Rain Water"


def test_a_notebook_whose_first_heading_is_a_sentence_is_named_by_its_file(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "Noise_Contrastive_Experiments.ipynb": notebook(
            ("code", "import numpy as np"),
            ("markdown", "### `density` is an unnormalized probability function which is "
                         "always positive\n\nIt drops the constant in front of the Gaussian."),
            ("code", "def density(x):\n    return np.exp(-x * x / 2)")),
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"Noise Contrastive Experiments"}


def test_index_summary_template_and_highlight_notes_are_no_concepts(
        kb: Grimoire, tmp_path: Path) -> None:
    vault = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "Python Book/1. Data Model/Summary.md": "- Special methods let objects behave like the "
                                                "built-in types.\n- [[Special Methods]] are "
                                                "called by the interpreter.\n",
        "Python Book/2. Sequences/Summary.md": "- Slicing makes a copy of a list.\n- Tuples "
                                               "are immutable records.\n",
        "Python Book/1. Data Model/Special Methods.md": "Special methods are methods the "
                                                        "interpreter calls for an operator.\n",
        "MOC.md": "- [[Special Methods]]\n- [[Tensor Cores]]\n",
        # a glossary's own term of that name is still one
        "glossary/summary.md": "#TensorFlow\n\nIn TensorFlow, a value computed at a step and "
                               "logged to follow training.\n",
    })
    graph = write_notes(tmp_path / "graph", {
        "logseq/config.edn": "{}",
        "pages/Template - Deep Read.md": "tags:: template\n\n- ## Deep Read Template\n  Copy "
                                         "this when a method paper needs a close reading.\n",
        "pages/hls__attention_1667264759596_0.md": "file:: [paper.pdf](../assets/paper.pdf)\n\n"
                                                   "- the encoder stacks six layers\n  "
                                                   "ls-type:: annotation\n  hl-page:: 3\n",
        "pages/Tensor Cores.md": "- Tensor cores multiply small matrices in one step.\n",
    })
    kb.ingest([vault, graph], embed=False)
    found = labels(kb)
    assert "MOC" not in found and not any(f.startswith(("Template", "hls__")) for f in found)
    assert {"Special Methods", "Tensor Cores"} <= found
    # the chapters' summaries are no entries of it
    assert [Path(e.entry.span.path).parent.name for e in kb.concept("summary").entries] == [
        "glossary"]


def test_a_line_of_display_math_is_no_heading_underline(kb: Grimoire, tmp_path: Path) -> None:
    vault = write_notes(tmp_path / "vault", {
        ".obsidian/app.json": "{}",
        "Law of Total Variance.md": "The variance splits into the mean of the parts' variances "
                                    "and the variance of their means.\n$$\nV[x]=\nE[x^2] - "
                                    "E[x]^2=\n$$\n$$\n=\nE[V[x|y]] + V[E[x|y]]\n$$\n",
    })
    kb.ingest([vault], embed=False)
    assert labels(kb) == {"Law of Total Variance"}
    assert "broken-math" not in kb.lint().by_group()


def test_requirements_with_comments_and_training_logs_name_no_concept(
        kb: Grimoire, tmp_path: Path) -> None:
    log = ["torch 2.1.0", "device cuda"] + [
        f"Epoch: 001/002 | Batch {i:04d}/0300 | Loss: {2.3 - i / 100:.4f}"
        for i in range(0, 300, 60)
    ] + ["Time elapsed: 0.41 min", "Test accuracy 97.12%", "Total Time: 0.52 min"]
    repo = write_notes(tmp_path / "repo", {
        "dev-requirements.txt": "# for development\n\npytest==8.3.3\nruff==0.6.9   # lint and "
                                "format\nnumpy>=2.0\n",
        "results/gpu.txt": "\n".join(log) + "\n",
        "notes.txt": "Batch Normalization\n\nBatch normalization rescales each layer's inputs "
                     "to zero mean and unit variance over a batch.\n",
    })
    kb.ingest([repo], embed=False)
    assert labels(kb) == {"Batch Normalization"}


@pytest.mark.no_store
def test_arithmetic_reads_a_dot_as_times_and_a_letter_after_a_number_as_a_term() -> None:
    right = ("With 1/ε=20: 20·(4.605+4.605)=184.2, so 185 samples. There are n+(n-1)+...+2+1="
             "2n(n+1) subarrays. The $9/9 = 100$th percentile is the largest. In Z_82, "
             "$$58 ·82 37 = 14$$ holds. A 4096\u00d74096 matrix has 4096\u00d74096 = 16M entries "
             "and 2 \u00d7 4096 \u00d7 8 = 65K bytes. The mean is "
             "1 · 1 + 1 · 2 + 1 · 3 1 + 1 + 1 = 6 3 = 2.")
    assert wrong_claims(right) == []
    assert [c.expression for c in wrong_claims("so 20·(4.605+4.605)=190.2 and 2 + 2 = 5")] == [
        "20·(4.605+4.605)", "2 + 2"]


def test_wanted_pages_and_lint_agree_on_part_names_and_citations(
        kb: Grimoire, tmp_path: Path) -> None:
    graph = write_notes(tmp_path / "graph", {
        "logseq/config.edn": "{}",
        "pages/Attenuation.md": "- Attenuation is the loss of a wave's energy with depth. "
                                "[[Source]]\n- Measured as in [[@A Review of Attenuation "
                                "Imaging]] and [[@smith2019]].\n- Corrected by [[Time Gain "
                                "Compensation]]. [[See here]]\n",
    })
    kb.ingest([graph], embed=False)
    assert [w.name for w in kb.wanted()] == ["Time Gain Compensation"]
    groups = kb.lint().by_group()
    assert [f.concept for f in groups["wanted"]] == ["Time Gain Compensation"]
    dead = sorted(f.message for f in groups["dead-link"])
    assert len(dead) == 4
    assert sum("cites a source" in m for m in dead) == 2
    assert sum("names a part of a page" in m for m in dead) == 2
    assert kb.wanted_page("Source") is None


@pytest.mark.no_store
def test_a_pdf_report_about_each_font_is_said_once() -> None:
    import logging

    from grimoire.readers.pdf import _pypdf_reports

    with _pypdf_reports() as reports:
        for font, widths in (("/AAAAAA+CMR10", [833, 0, 500]), ("/BBBBBB+CMTI10", [613, 562])):
            logging.getLogger("pypdf").warning(
                "fontTools is required to fully parse the encoding of a CFF Type1 font in font "
                "dictionary %s, but is not installed.", {"/BaseFont": font, "/Widths": widths})
        logging.getLogger("pypdf").warning("Ignoring wrong pointing object 6 0 (offset 0)")
    assert reports.messages == [
        "fontTools is required to fully parse the encoding of a CFF Type1 font in font "
        "dictionary {...}, but is not installed.", "Ignoring wrong pointing object 6 0 (offset 0)"]


def test_no_arithmetic_is_read_from_a_pdf(kb: Grimoire, tmp_path: Path) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    # A solution as a PDF's text layer gives it, the exponent laid flat: 0.001 * 0.5^2 reads
    # "0.001 * 0.52".
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 11 Tf 72 700 Td (Adam second moment: v1 = 0.001 * 0.52 = "
                    b"0.00025 after one step.) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(stream)
    notes = tmp_path / "notes"
    notes.mkdir()
    with (notes / "quiz.pdf").open("wb") as f:
        writer.write(f)
    (notes / "adam.md").write_text("# Adam\n\nAdam keeps a mean of squared gradients: "
                                   "0.001 * 0.52 = 0.00025 is wrong here.\n", encoding="utf-8")
    kb.ingest([notes], embed=False)
    found = kb.lint().by_group().get("arithmetic", [])
    assert [Path(f.span.path).name for f in found] == ["adam.md"]


def test_a_git_lfs_pointer_is_no_damaged_file(kb: Grimoire, tmp_path: Path) -> None:
    graph = write_notes(tmp_path / "graph", {
        "assets/scanner.pdf": "version https://git-lfs.github.com/spec/v1\noid sha256:"
                              + "ab" * 32 + "\nsize 504798\n",
        "pages/Beamforming.md": "- Beamforming delays each element's signal so that the echoes "
                                "from one point add up.\n",
    })
    kb.ingest([graph], embed=False)
    status = {Path(s.path).name: (s.status, s.reason) for s in kb.sources()}
    assert status["scanner.pdf"][0] == "skipped" and "Git LFS" in (status["scanner.pdf"][1] or "")
    assert labels(kb) == {"Beamforming"}


def test_a_page_titled_by_the_note_it_was_printed_from_names_no_concept(
        kb: Grimoire, tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "pca/pca_notes.md": "# Principal Component Analysis\n\nPrincipal component analysis "
                            "projects data onto the directions of largest variance.\n",
        # the same note exported to HTML by an editor, titled by its file
        "pca/pca_notes_export.html": "<html><head><title>pca_notes.md</title></head><body>"
                                     "<h1>Principal Component Analysis</h1><p>Principal "
                                     "component analysis projects data onto the directions of "
                                     "largest variance.</p></body></html>",
    })
    kb.ingest([notes], embed=False)
    assert labels(kb) == {"Principal Component Analysis"}


def test_a_title_with_a_subtitle_and_a_language_in_brackets_is_no_other_name(
        kb: Grimoire, tmp_path: Path) -> None:
    # (lead) A course's index pages were titled "<topic> — A to Z (<language>)": the language in
    # brackets was read as the page's short form, and the index of data structures merged
    # with the language's own note. "Dataset API (tf.data)" keeps its short form.
    notes = write_notes(tmp_path / "notes", {
        "ruby.md": "# Ruby\n\nRuby is a dynamic programming language with a focus on "
                   "simplicity.\n",
        "algorithms/README.md": "# Graphs — A to Z (Ruby)\n\nGraphs are vertices joined by "
                                "edges; these pages walk through them in order.\n",
        "week3.md": "# Week 3: Convolutions (Keras)\n\nConvolutions slide a small filter over "
                    "an image.\n",
        "keras.md": "# Keras\n\nKeras is a deep learning library with a small interface.\n",
        "data.md": "# Dataset API (tf.data)\n\nThe Dataset API builds input pipelines.\n",
    })
    kb.ingest([notes], embed=False)
    for name in ("Ruby", "Keras"):
        files = {Path(e.entry.span.path).name for e in kb.concept(name).entries}
        assert files == {f"{name.lower()}.md"}, (name, files)
    assert kb.concept("tf.data").label == "Dataset API (tf.data)"


def test_a_closing_section_in_every_note_of_a_course_is_no_concept(
        kb: Grimoire, tmp_path: Path) -> None:
    # (lead) Each note of a course ended with "## What's next" and a line pointing on to the
    # next note: 59 notes gave one concept "What's next" of 59 entries, and lint 1,193
    # conflicts between them.
    parts = {"tensors": ("Broadcasting", "stretches the smaller of two arrays over the larger"),
             "autograd": ("Gradient tape", "records the operations done on a tensor"),
             "optimizers": ("Momentum", "keeps a running average of past gradients")}
    notes = write_notes(tmp_path / "notes", {
        f"{n:02d}-{topic}.md": f"# {n:02d} \u2014 {topic.title()}\n\n{topic.title()} are a topic "
                               f"of week {n}.\n\n## {part}\n{part} {says}.\n\n## Shapes\nA shape "
                               f"is a tuple of sizes, one for each axis.\n\n## What's next\nFile "
                               f"{n + 1:02d} \u2014 {after} in depth (why it matters, what each "
                               f"part is for).\n"
        for n, (topic, after) in enumerate((("tensors", "autograd"), ("autograd", "optimizers"),
                                            ("optimizers", "schedulers")), start=1)
        for part, says in [parts[topic]]})
    kb.ingest([notes], embed=False)
    assert {"Tensors", "Autograd", "Optimizers"} <= labels(kb)
    assert not {label for label in labels(kb) if "next" in label.lower()}
    assert not [f for f in kb.lint().findings if f.group == "conflict"]
