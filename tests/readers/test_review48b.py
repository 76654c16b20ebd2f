"""Round 48 (review48b): read48's and qa48's changes met as a user's own notes meet them.

qa48 made a heading on how a page's topic connects to something else ("Connection to VLA",
"VLA와의 연결") a part of its page; the rule also ran on a page's own title, and a page titled
"Relation to PCA" or "Link to the Brain" was no concept at all ("Connections to Graph Theory"
was named "connections" by its file); " -- " read as a dash before a lower-case gloss named
the page on `git checkout -- file` "git checkout", one concept with the page on switching
branches; `Dependencies.md` was read as a repository's DEPENDENCIES.md and left out. read48's
labels: a reference from a folder that shares no more with one definition than with the other
stays ambiguous, as the nearest wins; incremental and full resolve agree. read48's lint: a
conflict judged by words in a store with vectors says so, also when none of the entries
compared has one. Notes written here, one store built once."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ingested, write_notes

NOTES = {
    # Pages titled as a connection: each names its subject (a concept on main).
    "ml/connections.md": "# Connections to Graph Theory\n\nSpectral clustering reads a "
                         "similarity matrix as a graph and cuts where few edges cross.\n",
    "ml/relation-to-pca.md": "# Relation to PCA\n\nA linear autoencoder trained on squared "
                             "error spans the subspace of the top principal components.\n",
    "ml/stats.md": "---\ntitle: Relationship with Statistics\n---\nMachine learning borrows "
                   "its estimators and tests from statistics.\n",
    # ... and a section so headed is still a part of its page.
    "ml/svd.md": "# SVD\n\nThe singular value decomposition factors any matrix into two "
                 "rotations and a scaling.\n\n## Connection to PCA\n\nThe right singular "
                 "vectors of centred data are its principal directions.\n",
    # Two hyphens in a command are its end of options, no dash before a gloss: the command
    # that discards a file's changes is not `git checkout`.
    "git/discard.md": "# `git checkout -- file`\n\nThe command `git checkout -- file` "
                      "discards the uncommitted changes to a file.\n",
    "git/checkout.md": "# git checkout\n\nThe git checkout command switches the working "
                       "copy to another branch.\n",
    "cli/ingest.md": "# Ingest\n\nThe ingest command reads every note of a folder.\n\n"
                     "## --no-embed\n\nSkip the vectors.\n",
    # A repository's DEPENDENCIES.md is about the project; a note so named in title case is
    # a note (qa48's rule took it for the repository's file).
    "build/Dependencies.md": "# Dependencies\n\nA dependency is a package a program needs "
                             "to run; a lock file pins each to one version.\n",
    # Sphinx labels: `intro` in two folders of one project, at equal depth.
    "book/alpha/setup.rst": ".. _intro:\n\nAlpha Setup\n===========\n\nInstall the alpha "
                            "toolkit with its installer.\n",
    "book/alpha/deep/jobs.rst": "Job Scheduler\n=============\n\nThe scheduler runs the "
                                "alpha toolkit's jobs in turn, once installed: :ref:`intro`.\n",
    "misc/faq.rst": "Release Process\n===============\n\nA release tags a version and "
                   "builds its wheels on a machine set up as in :ref:`intro`.\n",
}
LATER = {
    "book/beta/setup.rst": ".. _intro:\n\nBeta Setup\n==========\n\nInstall the beta "
                           "toolkit from source.\n",
    # Added `--no-embed` to a store with vectors, two files that alone define "Recall": lint
    # judges them by their words, and must say so though no entry compared has a vector.
    "later/ml/recall.md": "# Recall\n\nRecall is the share of the true positives that a "
                          "classifier finds.\n",
    "later/psych/recall.md": "# Recall\n\nRecall: bringing back to mind an episode stored "
                             "long ago, studied by psychologists of human memory.\n",
}


def test_titles_commands_and_labels_as_a_users_notes_have_them(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", NOTES)
    with ingested(tmp_path / "kb.db", notes) as kb:
        labels = {c.label for c in kb.concepts()}
        assert {"Connections to Graph Theory", "Relation to PCA", "Relationship with Statistics",
                "SVD", "git checkout -- file", "Dependencies"} <= labels, labels
        assert not labels & {"connections", "Connection to PCA", "--no-embed"}, labels
        assert [e.entry.span.path.rsplit("/", 1)[1]
                for e in kb.concept("git checkout").entries] == ["checkout.md"]

        def intro() -> dict[str, tuple[str, str | None]]:
            return {page: next((m.status, m.concept) for m in kb.concept(page).links
                               if m.target == "intro")
                    for page in ("Job Scheduler", "Release Process")}
        # one definition: both references lead to it
        assert intro() == {"Job Scheduler": ("resolved", "Alpha Setup"),
                           "Release Process": ("resolved", "Alpha Setup")}
        # a second at the same depth, added later (an incremental resolve), then a full one:
        # the reference under alpha leads to alpha's, the one from elsewhere to neither
        write_notes(notes, LATER)
        kb.ingest(notes, embed=False)
        conflicts = {f.concept: f.message for f in kb.lint().findings if f.group == "conflict"}
        assert "judged by words alone" in conflicts["Recall"], conflicts
        for _ in ("incremental", "full"):
            assert intro() == {"Job Scheduler": ("resolved", "Alpha Setup"),
                               "Release Process": ("ambiguous", None)}, intro()
            kb.resolve()
