"""Round 48 (read48): a Sphinx label two projects in one store define.

On a store of every collection of ../shared and examples/, a team's Sphinx docs and a cheat
sheet each label their glossary page `glossary`; the team's `:ref:`glossary`` led to neither,
and lint asked to rename all but one. Labels are a project's own: the reference means the
definition nearest it. Two files of one folder defining a label are still a mistake to fix.
Notes written here."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ingested, write_notes

_GLOSSARY = ".. _glossary:\n\nGlossary\n========\n\n.. glossary::\n\n   {term}\n      {text}\n"


def test_a_label_two_projects_define_leads_to_the_nearer(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "team/docs/glossary.rst": _GLOSSARY.format(
            term="Reward Model", text="A network scoring how much people like an answer."),
        "team/docs/rlhf.rst": "RLHF\n====\n\nTraining a chat model from people's rankings "
                              "of its answers. Terms: :ref:`glossary`.\n",
        # one folder, two files with one label: the reference leads to neither
        "book/one.rst": ".. _setup:\n\nInstalling\n==========\n\nRun the installer first.\n",
        "book/two.rst": ".. _setup:\n\nConfiguring\n===========\n\nEdit the settings file.\n",
        "book/three.rst": "Usage\n=====\n\nStart the tool once it is set up, see :ref:`setup`.\n",
    })
    # the second project comes later: an incremental resolve, then a full one, agree
    later = write_notes(tmp_path / "later", {
        "cheatsheet/glossary.rst": _GLOSSARY.format(
            term="Epoch", text="One pass of the optimiser over every training example.")})
    with ingested(tmp_path / "kb.db", notes, embed=False) as kb:
        kb.ingest(later, embed=False)
        for _ in ("incremental", "full"):
            dead = {f.message.split("'")[1]: f.message for f in kb.lint().findings
                    if f.group == "dead-link"}
            assert "glossary" not in dead, dead
            assert "setup" in dead and "defined in 2 files" in dead["setup"], dead
            # to the team's glossary page (its first term), not the cheat sheet's
            rlhf = kb.concept("RLHF")
            assert [(m.status, m.concept) for m in rlhf.links if m.target == "glossary"] == [
                ("resolved", "Reward Model")], rlhf.links
            kb.resolve()
