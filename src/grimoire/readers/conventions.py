"""Conventions of note-writing that every reader applies the same way.

One place for the rules that do not depend on the markup: which headings open a "See also"
list, which headings name a part of a page rather than a thing ("Introduction", "Code"), what a
word is. A reader decides where a heading or a line is; this module decides what it means.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote

from grimoire.days import is_date_title
from grimoire.names import NOTION_ID

# A word as the readers count them: a run of word characters (letters, digits, underscore).
WORD = re.compile(r"\w+")

# `See also`, `See also:`, `Related pages` ... as a heading or as the start of a line.
_SEE_ALSO_HEADINGS = frozenset(
    {"see also", "related pages", "related articles", "related terms", "related topics",
     "related concepts", "related notes", "related"}
)
SEE_ALSO_LINE = re.compile(r"\s*see also\b:?", re.IGNORECASE)

# The furniture of a page: its apparatus (sources, references, notes, links), its
# navigation (contents, index, summary, next steps), its examples and a course's admin. A
# link that names one of these means no page anyone would write (`is_page_part`), and a
# page titled "Summary of ..." names no subject (`is_generic_title`). The other generic
# headings ("Parameters", "Training", "Evaluation", "Theory", "Architecture") are parts of a
# page only as a heading: a link `[[parameters]]` in a sentence asks for a page on them, a
# notebook titled "Training of Neural Networks" is about that (round 34: a vault's link, a
# course's notebook with no concept).
_PAGE_PARTS = frozenset(
    {
        "abstract", "acknowledgements", "acknowledgments", "appendix", "bibliography",
        "preface", "foreword",  # round 45: a Quarto book's `# Preface` was a concept
        "changelog", "citation", "citations", "code", "code example", "code examples",
        "conclusion", "conclusions", "contents", "contributing", "credits", "demo",
        # round 45: the Sphinx cheat sheet's `contribute.rst` asks for pull requests
        "contribute", "how to contribute",
        "description", "details", "discussion", "example", "examples", "exercise",
        "exercises", "external links", "faq", "further reading", "getting started", "index",
        "installation", "install", "installing", "intro", "introduction", "license", "links",
        "more", "notes", "note", "outline", "overview", "quick start", "quickstart",
        "readings", "recap", "reference", "references", "related work", "resources",
        "refs",  # round 37: a course's notebooks close with "# Refs"
        "sources", "source", "summary", "table of contents", "todo", "tutorial", "tutorials",
        "usage", "what next", "next steps", "see also", "related", "footnotes", "authors",
        "author", "updates", "news", "figures", "tables", "images", "screenshots", "videos",
        "podcasts", "blogs", "books", "courses", "papers", "publications", "reading list",
        # round 46: a repository of paper summaries keeps "# To Read" over the papers next
        "to read", "to-read", "papers to read", "reading queue",
        "useful links", "guides", "misc", "miscellaneous", "other", "others", "other content",
        "content", "refile", "inbox", "title", "template", "templates", "detailed notes",
        "additional notes", "further notes", "my notes", "example code", "example script",
        "toy example", "worked example", "worked examples", "worked out example",
        "playground", "scratch", "scratch notes", "scratchpad", "primary sources",
        "secondary sources", "wrap-up", "wrap up", "takeaways", "key takeaways",
        "key takeaway", "homework", "assignment", "assignments", "syllabus", "schedule",
        "course materials", "class materials", "lecture materials",
        # qa53: a summer school's deck of extra slides opened "# Supplementary slides"
        "slides", "lecture slides", "supplementary", "supplementary slides",
        "supplementary material", "supplementary materials", "backup slides", "extra slides",
        "bonus slides", "additional slides", "additional material", "additional materials",
        "agenda", "quiz", "quizzes", "flashcards", "checklist", "tasks", "copyright",
        "erratum", "errata", "comments", "remarks", "recommended resources",
        "video tutorials", "implementation code", "code implementation", "hands-on code",
        "what's next", "what\u2019s next", "whats next", "up next", "next up", "coming next",
        "what comes next", "where to go next", "where to go from here", "what is it",
        "what are they", "what is this", "what are these", "what it is",
        "bibliografía", "bibliografia", "introducción", "introduccion", "ejemplo", "ejemplos",
        "referencias", "resumen", "índice", "indice", "contenido", "contenidos",
        "литература", "список литературы", "ссылки", "полезные ссылки",
        # introduction, conclusion(s), summary, example(s) as a Russian writer heads them
        # (round 38: a data-science blog's "Выводы" was a concept)
        "введение", "заключение", "выводы", "итоги", "пример", "примеры",
        # a German course's pages and sheets (read54: a Quarto course's quiz and its
        # "Allgemeine Informationen"; "Lösung" answers a task as "Solution" does)
        "einleitung", "einführung", "zusammenfassung", "fazit", "ausblick", "literatur",
        "literaturverzeichnis", "quellen", "inhalt", "inhaltsverzeichnis", "anhang",
        "beispiel", "beispiele", "übung", "übungen", "aufgabe", "aufgaben", "lösung",
        "lösungen", "musterlösung", "musterlösungen", "hausaufgabe", "hausaufgaben",
        "übungsblatt", "fragen", "prüfungsfragen", "hinweis", "hinweise", "lernziele",
        "allgemeine informationen", "allgemeines", "organisatorisches", "anmerkungen",
        # what a deck's slides are, as a page on making decks heads them (read54: a
        # Quarto course's notes on Quarto had "Title Slide" a concept)
        "title slide", "title slides", "cover slide", "title page",
        # references, bibliography, closing words, summary, preface, contents, appendix as a
        # Chinese writer heads them (qa47: a wiki's 61 "参考资料" were concepts)
        "参考资料", "参考文献", "结语", "总结", "小结", "前言", "目录", "附录",
        # and a chapter's or a section's summary, the background before it (round 50, qa50: a
        # bilingual Quarto book's 33 "本章小结" were concepts in conflict in lint)
        "本章小结", "本节小结", "本章总结", "本节总结", "章节小结", "背景知识", "背景",
        # summary, chapter summary, overview, key points, introduction, closing words,
        # references, contents, appendix, links to related chapters and methods, other related
        # papers, as a Japanese writer heads them; and the English "Chapter Summary" (round
        # 49, qa49: a bilingual Quarto book's 8 "まとめ", 6 "章のまとめ", 4 "概要", 4
        # "Chapter Summary" were concepts in conflict in lint)
        "まとめ", "章のまとめ", "本章のまとめ", "本書のまとめ", "概要", "要点", "はじめに",
        "おわりに", "参考資料", "目次", "付録", "関連章へのリンク", "関連手法へのリンク",
        "その他の関連論文", "chapter summary", "chapter summaries",
        # a personal site's own pages (round 35: a notes site's "About", "Projects", "Quotes")
        "about", "about me", "about this site", "about the author", "projects", "my projects",
        "quotes", "favorite quotes", "favourite quotes",
        # a study guide's own pages and a course's bucket of the rest (round 36: "About This
        # Guide", "Advanced Topics" over a site's last part)
        "about this guide", "about this book", "about this course", "about these notes",
        "about this wiki", "about this repository", "about the book", "about the course",
        "advanced topics", "other topics", "more topics", "further topics", "special topics",
        "selected topics", "misc topics", "topics", "topics covered",
        # a course's admin pages and notices (round 41: a course's notebooks opened with
        # "Announcements", its info page had "Registration" and "Class meetings")
        "announcements", "announcement", "class meetings", "office hours",
        "grading scheme", "course description", "land acknowledgement",
        "land acknowledgment", "congratulations", "practice exercises", "interim summary",
        # an assignment's page and its parts (round 43: a course's `instructions.md` under
        # "# Assignment 2: ..." was the concept "instructions", its "Deliverables" another)
        "instructions", "deliverables", "marking scheme", "marking rubric", "rubric",
        # round 49 (qa49): a lecture's page says which exercises it unlocks under "Problem set"
        "problem set", "problem sets",
        # round 44: a course site's practice problems each had "💡 Hints" (collapsed boxes)
        # between the task and its solution: eight concepts "Hints", in conflict in lint
        "hints", "hint",
        # the same furniture as a Czech student heads it: introduction, summary, conclusion,
        # sources, literature, links, notes, example(s), exercises, tasks, overview, contents
        # (read57: qa56's Czech exam notes in AsciiDoc, "Odkazy" a concept); German's overview
        # (read57: a German MyST course's "Überblick" and "Übersicht" were concepts),
        # and Spanish's, Portuguese's and French's that were missing
        "úvod", "shrnutí", "závěr", "zdroje", "literatura", "odkazy",
        "užitečné odkazy", "poznámky", "poznámka", "příklad",
        "příklady", "cvičení", "úlohy", "přehled", "obsah",
        "überblick", "übersicht", "ueberblick", "uebersicht", "einfuehrung",
        "ejercicios", "conclusión y trabajo futuro", "introdução", "exemplo",
        "exemplos", "conclusão", "resumo", "referências", "exercícios",
        "références", "exemples", "exercices", "remarques", "remarque",
        # (not French's "résumé", summary: English's résumé is a note of its own, a CV, and
        # was lost with its links; review57a)
    }
    | _SEE_ALSO_HEADINGS
)
# A course's admin headings, "Registration" and "Grading" among them only on a course's page:
# elsewhere they are things ("Registration" of two images, "Grading of Diabetic Retinopathy";
# review41b: as page parts, a vision note's "Registration" section and page were no concept).
# `sections.add_section_entries` passes over a section so headed when another heading of its
# page is one of these.
_COURSE_ADMIN = frozenset({
    "announcements", "announcement", "class meetings", "office hours", "grading scheme",
    "course description", "land acknowledgement", "land acknowledgment", "syllabus",
    "schedule", "course materials", "class materials", "lecture materials", "homework",
    "assignments", "quizzes",
})
_COURSE_ADMIN_TOO = frozenset({"registration", "grading"})


def is_course_admin(heading: str, *, on_course_page: bool = True) -> bool:
    """Whether a heading is a course's admin heading ("Office hours"); with `on_course_page`,
    also one that is such only on a course's page ("Registration", "Grading").

    >>> is_course_admin("Office hours"), is_course_admin("Registration", on_course_page=False)
    (True, False)
    """
    key = heading_key(heading)
    return key in _COURSE_ADMIN or (on_course_page and key in _COURSE_ADMIN_TOO)
# Headings that name a part of a page, not a thing the page explains: the furniture above and
# these. A section under one of them is never an entry of its own (issue 10 defect 12).
# Compared after `heading_key`.
_GENERIC_HEADINGS = frozenset(
    {
        "api", "api reference",
        # round 44: a notes site's README said how it is built under "📖 Documentation"
        "documentation",
        "applications", "application examples", "background", "basics",
        "definition", "definitions",
        "general", "glossary",
        "history",
        "how it works", "implementation", "implementations",
        "intuition", "key ideas", "main idea", "math",
        "methods", "motivation", "notation",
        "parameters", "preliminaries", "prerequisites", "problem", "problems", "questions",
        "results", "returns", "setup",
        "terminology", "terms", "theory", "training",
        "use cases", "variants", "vocabulary", "why", "discussions",
        # round 45 (qa45b): a vault's notes open with "# Buzzwords", the subject's words in a
        # row; four concepts "Buzzwords", in conflict in lint
        "buzzwords", "buzz words",
        "pros", "cons", "pros and cons", "advantages", "disadvantages", "limitations",
        "drawbacks", "benefits", "caveats", "tips", "steps", "step-by-step", "step by step",
        "comparison", "comparisons", "tools", "properties",
        # an aspect of the section above ("MongoDB" > "Characteristics"; round 38: a course
        # site's notes; "Formulation" was tried and dropped: as a sibling it counted towards
        # the parallel topics that made "Maximum Margin Classifier" a concept)
        "characteristics", "key characteristics", "main characteristics",
        # a level or a variant of the section above, an adjective alone ("Basic" / "Extended"
        # beside each other under a notebook's method; round 37's leftover)
        "basic", "extended", "advanced", "intermediate", "simple", "improved", "modified",
        "options", "arguments", "requirements", "evaluation", "experiments", "datasets",
        # round 44: a Hugo post's "# Experiment" after its argument, beside "# Conclusion"
        "experiment",
        "conclusion and future work", "future work",
        "solution", "solutions", "answer", "answers",
        "objective", "objectives",
        # round 48 (qa48b): a course's page of what each week teaches
        "learning objectives",
        "author contributions", "contributions", "discussion and review", "reviews",
        # round 49: a lecture's moments ("Review" of last week's method, the "Question" it
        # opens on) and a course's notices ("Administrative" over the homework's due date)
        "review", "question", "administrative", "administrative info", "administrivia",
        "course logistics",
        # a page that gathers the rest, or lists a site's ideas, names none of them
        "concepts", "key concepts", "basic concepts", "core concepts",
        # round 39: a blog's notebooks each open "Concept" over what the post is about
        "concept", "main concept", "key concept", "core concept", "basic concept",
        # the parts of a paper's write-up (round 25: public notes on papers)
        "ablation", "ablations", "ablation study", "ablation studies", "analysis", "baseline",
        "baselines", "findings", "key findings", "methodology",
        "goals", "implications", "formal definition", "useful tools",
        # an outline's bucket of things to file later
        # the parts of a tool's write-up, each in many notes of one repository (round 27)
        "architecture", "components", "specification", "workflow",
        # the parts of a course's day (round 27: a curriculum's pages, each under an emoji)
        "knowledge check", "revision flashcards",
        # a course's questions after a part, by their kind (review54a)
        "check your understanding", "self-assessment", "self assessment", "self-check",
        "self check", "test yourself",
        "before you start checklist", "before you claim", "predict the output",
        "predict output challenge", "conceptual quiz challenges", "applied extension checks",
        # the parts of a note's argument (round 28: a research vault opened five notes with
        # "The Problem" and named each so; "Idea" another)
        "idea", "ideas", "basic idea", "core idea", "general idea", "problem statement",
        "problem setup",
        "problem formulation", "approach",
        # round 29: an aside ("Note" in a GPU note), a part of a model's write-up ("Output"
        # of a GRU), a course's opening ("Fundamentals" heads a reading list)
        "output", "outputs", "fundamentals", "assumption", "assumptions",
        # the front and back matter of a paper turned into Markdown by OCR
        "abbreviations", "list of abbreviations",
        # round 30: a README's opening ("Goal"), a note's list of symbols ("Notations"), what
        # a thing is used for ("Uses"), a template's placeholder ("[Title](pdf)"), the notes
        # under a paper's title ("Detailed notes"), a worked example ("Toy Example"), a
        # note template's file (`template.md`)
        "goal", "notations", "uses",
        # a question about the page's subject by a pronoun names nothing ("What is it?",
        # "What are they": six notes of one repository, two in conflict)
        # round 31: a paper note's "Key idea", a derivation under a result ("Derivation",
        # "Why This Matters"), a course note's "Primary sources", a scratch page's "Scratch
        # Notes", a notebook's "Scenario" and "Key takeaway"; and the parts of a page as a
        # Spanish-language wiki heads them ("Bibliografía" opened five of its pages,
        # "Introducción", "Ejemplo", "Otros")
        "key idea", "big idea", "central idea", "main ideas", "core ideas", "derivation",
        "derivations", "proof", "proofs", "why this matters", "why it matters",
        "scenario",
        # (lead) a course's closing section, one in each of 59 notes: one concept "What's
        # next" of 59 entries, and 1,193 conflicts between them in lint
        # round 33: a README's "## Install" over the commands that install it
        "motivación", "motivacion", "otros", "otras", "conclusión",
        "conclusiones",
        # round 32: a lesson's code ("Implementation Code", "Hands-on Python Implementation",
        # four notes and their notebooks each), a lecture's "Comments", and a Russian note's
        # reading list ("Литература")
        "python implementation",
        "hands-on implementation", "hands-on python implementation",
        # round 35: the parts of a paper's summary, in most notes of a folder of them
        # ("Key Points:", "Thoughts"), as "Key takeaways" and "Findings" are
        "key points", "main points", "thoughts", "my thoughts",
        # round 37: a book's chapters each close with "Strengths" (six concepts of that name,
        # in conflict in lint) beside "Limitations", and read a model's weights under
        # "Interpretation"; a lecture set's pages open "Principle" and explain their code
        # under "Code Explanation"; "Software" lists the packages that do it
        "strengths", "weaknesses", "strengths and weaknesses", "interpretation",
        "principle", "principles", "core principle", "basic principle", "working principle",
        "code explanation", "code walkthrough", "software", "alternatives",
        # round 39: a notebook of long notes closes each part with "Historical Notes" (seven
        # concepts of that name, some with the part in brackets)
        "historical notes", "historical remarks", "historical background",
        "bibliographic notes", "bibliographical notes", "notes and references",
        # round 49 (qa49): the parts of a Japanese book's chapter on a paper: background and
        # motivation, results, main results, main findings, a comparison table, related work,
        # open problems; "Comparison Table" and "Open Problems" as an English one heads them
        "背景", "背景と動機", "実験結果", "主結果", "主要な発見", "比較表", "関連研究",
        "未解決問題", "comparison table", "open problems",
        # evaluation, method, results, implementation, motivation, definition, challenges,
        # limitations, applications, theory, (core) idea, caveats, a pitfall checklist
        "評価", "手法", "結果", "実装", "動機", "定義", "課題", "限界", "応用", "理論",
        "アイデア", "中核アイデア", "注意点", "落とし穴チェックリスト", "pitfall checklist",
        # (read57) proof(s), notation, terminology, (basic) terms, (formal) definition,
        # training, solution, motivation, intuition, properties, advantages and drawbacks,
        # uses, implementation, history, theory, variants, problems, questions, goals, as a
        # Czech student heads them (qa56: "Důkazy", "Notace", "Formální
        # definice", two "Trénink" were concepts of a neural-network course's notes);
        # and Spanish's, Portuguese's, French's and German's of the same
        "důkaz", "důkazy", "notace", "značení", "terminologie", "pojmy",
        "základní pojmy", "definice", "formální definice", "trénink",
        "trénování", "řešení", "motivace", "intuice",
        "vlastnosti", "výhody", "nevýhody", "výhody a nevýhody", "použití",
        "aplikace", "implementace", "historie", "teorie", "varianty", "problémy",
        "otázky", "cíle", "cíl", "problém",
        "definición", "definiciones", "demostración", "demostraciones",
        "notación", "terminología", "solución", "soluciones", "ventajas",
        "desventajas", "ventajas y desventajas", "aplicaciones", "implementación",
        "propiedades", "objetivos", "teoría",
        "definição", "definições", "demonstração", "notação",
        "solução", "vantagens", "desvantagens", "aplicações",
        "implementação", "propriedades", "teoria", "motivação",
        "définition", "définitions", "démonstration", "preuve", "propriétés",
        "avantages", "inconvénients", "théorie", "objectifs",
        "beweis", "beweise", "grundbegriffe", "eigenschaften", "vorteile",
        "nachteile", "vor- und nachteile", "anwendungen",
        # (read57) a topic's formulas as a section of it ("Attention Mechanism" > "Math
        # Formulation", one of its parallel sections, read as a concept once a table above
        # no longer broke the page's headings); "Mathematical Formulation" names a page of
        # its own (round 38's test), so only the short form
        "math formulation",
    }
    | _PAGE_PARTS
)
# A notebook's step, not its subject: "Read data", "Load Data", "Import libraries",
# "Loading the IMDB dataset" (round 29: a course's notebooks were named so).
# So is the cell of imports that opens a notebook, by its noun ("Imports", "Python imports",
# "Required packages"; round 37: a cheat sheet's notebook was named "Imports"). A page on
# "Libraries" is a page on them.
_SETUP_STEP = re.compile(
    r"(?:load|read|import|download|get|fetch|prepare|install)(?:ing)?\s+(?:the\s+)?"
    r"(?:\w+\s+)?(?:data|dataset|datasets|libraries|library|packages|modules|dependencies)\b"
    r"|(?:python\s+)?imports$|(?:required|needed)\s+(?:libraries|packages|dependencies)$")
# A figure, table or appendix of a paper by its number, with its caption or not ("Figure
# 10", "Table 2: Results", "Appendix B"): OCR of a paper made each a heading (round 29).
# So is a worked example or an exercise, by its number or its caption ("Example 4: Custom
# autograd Function", "Exercise 2", "Example: Single Layer Network"), and a step or chapter
# by its number alone ("Step 1", "Chapter 1"; round 30: a course's notebooks). "Chapter 9 -
# Box-Jenkins Models" is named by its topic. A notebook's "Cell 2: Semantic Clustering" is
# its second cell (round 31).
_FLOAT_HEADING = re.compile(
    r"(?:figure|fig\.?|table|tab\.?|appendix|exhibit|listing|algorithm|example|exercise|cell"
    # a German notebook's "Zelle 3 - PyTorch & NeuralForecast" (round 33)
    r"|zelle"
    # and a German sheet's tasks, their answers, examples, figures and tables (read54)
    r"|aufgabe|übung|beispiel|lösung|frage|abbildung|abb\.?|tabelle"
    # a course's numbered problems ("Problem 1" in three units' problem sets, round 32)
    r"|problem|question|homework|assignment|task|lab)[\s_]*"
    r"(?:[a-z]|[a-z]?\d{1,3}(?:\.\d{1,3})*[a-z]?)(?:\s*[:.\u2013\u2014-]\s.*)?"
    r"|(?:example|exercise|aufgabe|übung|beispiel)\s*[:.\u2013\u2014-]\s.*"
    r"|(?:step|chapter|part|schritt|kapitel|teil)[\s_]*\d{1,3}"
    # "Lösung zu Aufgabe 3", "Solution to Exercise 2": an answer to a task by its number
    r"|(?:lösung|solution)\s+(?:zu|zur|of|to|for)\s+(?:aufgabe|übung|exercise|problem|task)"
    r"\s*\d{1,3}[a-z]?"
    # a proof's or an algorithm's cases by their number ("Case 1" ... "Case 4" of a
    # red-black tree's fix-up, round 38: a course site's notes)
    r"|(?:case|subcase|scenario)\s*\d{1,3}[a-z]?")
# A section's number written as keycap emoji, a digit, U+FE0F and U+20E3 each ("1️⃣", "1️⃣0️⃣"):
# round 44, an mkdocs-material page headed its sections "📘 1️⃣ Systems of Linear Equations", and
# none of them that defined its heading was a concept.
_KEYCAP = r"(?:\d\ufe0f?\u20e3){1,3}"
_NUMBERING = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.|[A-Za-z]\.|chapter \d+:?|step \d+:?|" + _KEYCAP + r")\s+",
    re.I)
# ... and "und", "y", "e", "et", "a" join two parts in German, Spanish, Portuguese, French and
# Czech ("Einf\u00fchrung und Grundbegriffe", read57); every part must be one for the whole to be
_JOINED = re.compile(r"\s*/\s*|\s+&\s+|\s+(?:and|und|y|e|et|a)\s+")
# Tried only where its run of punctuation starts (so are `_CITATION`, `_TRAILING_YEAR` and
# `_TRAILING_COLON` where their blanks start): from every place inside a long run it scanned
# the rest of the run, quadratic on a heading of many ". " or ":" (audit30).
_TRAILING = re.compile(r"(?<![\s:.;,¶#§])[\s:.;,¶#§]+$")
# A section's number before its name ("1. Sentiment Analysis", "7.11. Toolkits", "2.3 Attention",
# "4) Pooling"): the page's order, no part of the name. A number that is part of a name keeps
# its place ("3D Convolution", "1x1 Convolution", "1-bit Adam").
# "2.3 Attention", "1. Intro", "4.1 - Linear Forward" and "3 - Packages" (a course's notebooks
# number their sections so), "3_1 - LLM evaluation" (a vault's file), a list label "d) L-Layer
# Model".
# "1 · Decision Trees & ID3" (a cheat sheet's numbered boxes), and a numbered problem's number
# with its zeros ("0003. Longest Substring Without Repeating Characters", as "314. Binary Tree
# ..." is numbered; round 31: a vault of solved problems). A year keeps its place.
# A step's part by a letter after its number ("4a. Handling missing data", "2b) Set aside a
# test set": round 43, a course's slides numbered a checklist's steps so); a capital stays ("5G.").
_SECTION_NUMBER = re.compile(
    r"^(?:" + _KEYCAP + r"|\d{1,3}(?:\.\d{1,3})*[a-z]?[.)]"
    r"|\d{1,3}(?:\.\d{1,3})+|[a-z]\)|0\d{3}\.|(?!(?:1[89]|20)\d\d)\d{4}\."
    r"|\d{1,3}(?:[._]\d{1,3})*(?=\s*[-\u2013\u2014:\u00b7]\s))(?:\s*[-\u2013\u2014:\u00b7](?=\s))?\s+(?=\S)")


# Character references as HTML exports write them: numeric, and the few named ones that an
# exporter escapes. None of them is TeX (`&` aligns, `#` is a macro parameter), so inside math
# they are always the exporter's escaping of the character (`s&#39;` is s').
_CHAR_REF = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos|nbsp));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'", "nbsp": " "}


def unescape_refs(text: str) -> str:
    """`text` with HTML character references replaced by their characters (see `_CHAR_REF`);
    other text, and references to no valid character, stay as they are."""
    if "&" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        if m.group(3):
            return _NAMED[m.group(3)]
        code = int(m.group(1)) if m.group(1) else int(m.group(2), 16)
        return chr(code) if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else m.group(0)

    return _CHAR_REF.sub(one, text)


# Ids that note apps write into file names beside the name: Notion's 32 hex digits after it
# (`Attention 8a1b...f9.md`), a Zettelkasten's timestamp before it (`202303051200 Attention.md`,
# org-roam's `20230305120000-attention.org`). Logseq writes a namespace `ml/Transformer` as
# `ml___Transformer.md` (or `ml%2FTransformer.md`): its name is the last part, as a link
# `[[ml/Transformer]]` names it.
_ZETTEL_ID = re.compile(r"^\d{12,14}(?:[ _-]+|$)")


# The name a tool gives a note nobody named: Obsidian's `Untitled.md`, `Untitled 2.md`,
# Notion's `Untitled <id>.md`.
_UNTITLED = re.compile(r"untitled(?:[ _-]?\d{1,4})?", re.IGNORECASE)


# A vault's index of notes, as note-takers name it: a map of content ("MOC", "ML MOC", "MOC -
# Statistics"), "Index - Clustering", the vault's "Home" (round 31: a Logseq graph's `MOC.md`
# and `Home.md`). "Gini Index" is a thing: only "Index" before a dash is a page of links.
# A page titled by the file it was made from: a Markdown note printed to PDF or exported to
# HTML keeps "gd_on_quadratics.md" as its title (round 31: four pages of a course's notes,
# each beside the note itself, which names its subject).
_FILE_TITLE = re.compile(r"[^\s/\\][^/\\]{0,120}\.(?:md|markdown|ipynb|rst|org|tex|txt)",
                         re.IGNORECASE)
_INDEX_PAGE = re.compile(r"(?:moc|index)\s*[-:\u2013\u2014]\s*\S.*|(?:.+\s)?moc|home"
                         # docsify's navigation files (round 32: a course site's `_sidebar.md`)
                         r"|_(?:sidebar|navbar|coverpage)"
                         r"|maps? of contents?(?:\s*[-:\u2013\u2014]\s*\S.*)?", re.IGNORECASE)


def is_file_name(title: str) -> bool:
    """Whether `title` is a note's file name ("pca_ica.md"), as a page printed or exported
    from the note keeps for its title."""
    return _FILE_TITLE.fullmatch(title.strip()) is not None


def names_no_concept(title: str) -> bool:
    """Whether a note's title names nothing a reader would look up: a day (a journal page,
    `days.is_date_title`), a tool's "Untitled", a template's placeholder (`{{title}}`,
    `<% tp.file.title %>`), a repository's README (a heading-less `README.md` is titled by its
    file), a vault's index ("MOC", "Index - Clustering", "Home"), a Logseq page of a PDF's
    highlights (`hls__paper_1667264759596_0`), a page titled by the note it was printed from
    ("gd_on_quadratics.md"), a home page's "Welcome!", a section's number ("1.1").

    >>> names_no_concept("ML MOC"), names_no_concept("Index - Clustering")
    (True, True)
    >>> names_no_concept("Gini Index"), names_no_concept("Homework")
    (False, False)
    """
    if len(title) > CACHED_HEADING_CHARS:  # a heading of 100,000 characters is not kept
        return _names_no_concept.__wrapped__(title)
    return _names_no_concept(title)


# A note's readers ask it of one title twice or more (issue 14): remembered as `heading_key`
# is, not for a title too long to be a name (review52b: 4,096 huge headings were kept).
@lru_cache(maxsize=4096)
def _names_no_concept(title: str) -> bool:
    stripped = title.strip()
    dated = _DATED_NOTES.fullmatch(stripped) or _NOTES_OF_DAY.fullmatch(stripped)
    period = dated[1] if dated is not None else stripped
    return is_date_title(title) or _MONTH_TITLE.fullmatch(stripped) is not None \
        or (dated is not None and (is_date_title(period)
                                   or _MONTH_TITLE.fullmatch(period) is not None)) \
        or _UNTITLED.fullmatch(stripped) is not None \
        or "{{" in title or "<%" in title or stripped.casefold() == "readme" \
        or _INDEX_PAGE.fullmatch(stripped) is not None or stripped.startswith("hls__") \
        or _FILE_TITLE.fullmatch(stripped) is not None \
        or _NUMBERED_TASK.fullmatch(stripped) is not None \
        or _NOT_FOUND.fullmatch(stripped) is not None \
        or _LISTING.fullmatch(stripped) is not None \
        or _WELCOME.fullmatch(stripped) is not None \
        or is_section_number(stripped)


# A site's home page greeting its reader ("Welcome!", "Welcome to my notes"; round 42: a Jekyll
# site's `index.md`, whose layout draws the list of notes, was the concept "Welcome!"). A
# welcome to a named thing is its note ("Welcome to Kubernetes"; review42d). A welcome to a
# book or a site by its name greets the reader of all its pages ("Welcome to Little Notes",
# a Jupyter Book's front page: round 44's leftover).
_WELCOME = re.compile(r"welcome(?:\s+to\s+(?:(?:my|our|the|this)\b.*"
                      r"|.{0,120}\b(?:notes|book|handbook|wiki|blog|site|website|docs|documentation"
                      r"|notebooks?|garden|journal|repository|repo|collection|knowledge\s+base"
                      r"|home\s?page|guide)))?[!.]?",
                      re.IGNORECASE)
# A section's number as a whole title ("# 1.1" over a homework's first exercise, "2)", "3.";
# round 42: a vault's question sheet was the concept "1.1"). A year or a count ("1984") is
# no section number.
_SECTION_NUMBER_ONLY = re.compile(r"\d{1,3}(?:\.\d{1,3})+\.?|\d{1,3}[.)]")


def is_section_number(title: str) -> bool:
    """Whether a title is a section's number alone ("1.1", "2.", "3)")."""
    return _SECTION_NUMBER_ONLY.fullmatch(title.strip()) is not None


# A day's notes named the other way round: "Daily Notes: 2025-11-16", "Log for 2024-03-05",
# "Journal - Mar 2025" (round 35: a Quarto site's daily logs, ten concepts "Daily Notes: ...").
_NOTES_OF_DAY = re.compile(r"(?:[\w-]+\s+){0,2}(?:notes?|logs?|journal|recap|review|diary)"
                           r"\s*(?:[:\u2013\u2014-]|for|on|of)\s*(\S.*)", re.IGNORECASE)
# A site's page for an address that leads nowhere: "404 - Page not found", "Page Not Found"
# (round 35: a Quarto site's `404.qmd`).
_NOT_FOUND = re.compile(r"(?:(?:error\s+)?404(?:\s*[:\u2013\u2014-]\s*|\s+))?"
                        r"(?:page\s+)?not\s+found|(?:error\s+)?404", re.IGNORECASE)


# A site's list page, titled by what it lists and when: "Recent Articles", "Latest Posts",
# "Archived Courses", "All Projects" (a Hugo section's `_index.md`, a Jekyll archive page;
# round 38's leftover: a course site's three list pages were concepts). The site draws the
# list; the page names none of the things on it. "Recent Advances in RL" names a subject.
_LISTING = re.compile(
    r"(?:recent|latest|newest|new|archived|past|older|previous|upcoming|featured|selected|all"
    r"|popular)\s+(?:blog\s+)?(?:posts|articles|projects|courses|notes|talks|publications|papers"
    r"|entries|writings|essays|tutorials|stories|updates|news|items|pages|activity|activities)"
    # a Jekyll theme's archives: "Posts by Category", "Posts by Tag", "Posts by Year"
    r"|(?:posts|articles|notes)\s+by\s+(?:category|tag|tags|year|date|month|topic)"
    # A gallery of scripts (sphinx-gallery's README over an `examples/` folder: "Examples for
    # the image processing chapter", "Code samples for Matplotlib", "Full code examples for
    # the numpy chapter", "Solutions of the exercises for SciPy"; round 40, 18 of a lecture
    # book's were concepts): the files under it, no thing.
    r"|(?:(?:full\s+)?(?:code\s+)?(?:examples?|samples|solutions?)|code)\s+(?:for|of|to)\s+.+",
    re.IGNORECASE)


# A period's notes: "Mar 2025 notes", "Dec 2024 notes 1" (a copy), "2023-03-05 log" (round
# 34: a year of monthly notes, each named by its first section: "openai" four times).
# A month's page by its name: "Aug 2025", "September 2023" (no journal's day: a link to one is
# still a wanted page, `days.is_date_title`).
_MONTH_TITLE = re.compile(r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?"
                          r"\s+\d{4}", re.IGNORECASE)
_DATED_NOTES = re.compile(r"(.+?)\s+(?:notes|recap|log|journal|review|updates?)(?:\s+\d{1,2})?",
                          re.IGNORECASE)


# A course's numbered exercise as a note's whole title ("Problem 1" in three units' folders,
# round 32): the course's order, not a name; merged, the three were one concept in conflict.
# So is a quiz's, "Quiz 1", "Q1", "Quiz Question 1" (round 41: a vault's two quizzes `Q1.md` in
# two courses' folders were one concept "Quiz Question 1", merged by the name "Q1").
# A numbered sheet of them too, also under its subject: "Exercises 01", "Exercises Part 2", "C++
# Exercises 03" (round 42: a site's ten practice sheets were concepts). Problems or questions
# under a name are a sheet only by a sheet's word ("Practice Problems 3"), a part or a padded
# number ("Graph Problems 04"): "Hilbert Problems 23" is a list a mathematician posed (round 43).
_NUMBERED_TASK = re.compile(r"(?:quiz\s*)?(?:problem|question|exercise|homework|assignment|task"
                            r"|lab|quiz|q)\s*\d{1,3}[a-z]?"
                            r"|(?:[\w+#.-]+\s+)?exercises\s+(?:part\s+)?\d{1,3}"
                            r"|(?:(?:practice|review|revision|sample|extra|additional|more|bonus"
                            r"|exam|interview|homework|tutorial)\s+)?(?:problems|questions)"
                            r"\s+(?:part\s+)?\d{1,3}"
                            r"|[\w+#.-]+\s+(?:problems|questions)\s+(?:part\s+\d{1,3}|0\d)",
                            re.IGNORECASE)


# A note that sums up, opens or closes the notes beside it, named so by its file: a book's
# chapter folder holding `Summary.md` (round 31: 31 chapters of a vault of book notes, each a
# concept "Summary"). A tool's `Installation.md` stays a page (round 28).
_PART_NOTES = frozenset({
    "summary", "chapter summary", "recap", "conclusion", "conclusions", "introduction",
    "intro", "overview", "takeaways", "key takeaways",
})


def names_part_note(name: str) -> bool:
    """Whether a note's file name says it is a part of its folder's subject ("Summary")."""
    return heading_key(name) in _PART_NOTES


# The copy Jupyter's "Duplicate" names "x-Copy1.ipynb", Windows' Explorer "x - Copy (2).md":
# the note copied, of the same name (round 52, qa52: a course's "Bayesian Linear
# Regression-Copy1" was a concept beside the notebook's).
_FILE_COPY = re.compile(r"(?<=\S)(?:-Copy\d{1,3}| - Copy(?: \(\d{1,3}\))?)$")


def stem_title(stem: str) -> str:
    """The name a note app's file stem stands for, without the ids it adds.

    >>> stem_title("Attention 8a1b2c3d4e5f60718293a4b5c6d7e8f9"), stem_title("ml___Transformer")
    ('Attention', 'Transformer')
    >>> stem_title("202303051200 Attention"), stem_title("20230305120000-layer_normalization")
    ('Attention', 'layer_normalization')
    >>> stem_title("Bayesian Ridge-Copy1"), stem_title("Kernels - Copy (2)")
    ('Bayesian Ridge', 'Kernels')
    >>> stem_title("Carbon Copy"), stem_title("Copy1"), stem_title("Kernels-Copy")
    ('Carbon Copy', 'Copy1', 'Kernels-Copy')
    """
    if "%" in stem:
        stem = unquote(stem)
    if "Copy" in stem[-12:]:
        stem = _FILE_COPY.sub("", stem, count=1)
    if "___" in stem or "/" in stem:
        stem = stem.replace("___", "/").rstrip("/").rsplit("/", 1)[-1]
    if stem[:1].isdigit():
        bare = _ZETTEL_ID.sub("", stem)
        stem = bare or stem
    elif len(stem) > 33:
        stem = NOTION_ID.sub("", stem)
    return stem


# The same headings recur in every note of a folder ("Details", "References"), and each is
# asked for several times a note (issue 14): they are remembered, unless longer than this (a
# name never is), so that a file of huge headings cannot fill a reader worker's memory.
CACHED_HEADING_CHARS = 300


def heading_key(title: str) -> str:
    """A heading as compared here: numbering, trailing punctuation and case dropped."""
    if len(title) > CACHED_HEADING_CHARS:
        return _heading_key.__wrapped__(title)
    return _heading_key(title)


@lru_cache(maxsize=8192)
def _heading_key(title: str) -> str:
    text = " ".join(title.split())
    # "⚡ Tasks", "📚 Resources": an emoji before a heading decorates it.
    text = text.strip("".join(c for c in text[:2] + text[-2:] if _decoration(c)) + " ")
    text = _NUMBERING.sub("", text)
    return _TRAILING.sub("", text).casefold()


def unnumbered(name: str) -> str:
    """`name` without the section number a heading opens with, when a name is left after it.

    >>> unnumbered("1. Sentiment Analysis"), unnumbered("2.3 Attention"), unnumbered("3D CNN")
    ('Sentiment Analysis', 'Attention', '3D CNN')
    >>> unnumbered("4.1 - Linear Forward"), unnumbered("3 - Packages"), unnumbered("d) L-Layers")
    ('Linear Forward', 'Packages', 'L-Layers')
    >>> unnumbered("5.The Kernel Trick"), unnumbered("01 Foundations"), unnumbered("3 Sigma Rule")
    ('The Kernel Trick', 'Foundations', '3 Sigma Rule')
    >>> unnumbered("100 Days of ML"), unnumbered("1000.Words")
    ('100 Days of ML', '1000.Words')
    >>> unnumbered("4a. Handling missing data"), unnumbered("2b) Test sets"), unnumbered("5G. Nets")
    ('Handling missing data', 'Test sets', '5G. Nets')
    >>> unnumbered("I.2.Linear Algebra"), unnumbered("2.4.Norms"), unnumbered("I.Robot")
    ('Linear Algebra', 'Norms', 'I.Robot')
    """
    rest = _SECTION_NUMBER.sub("", name, count=1)
    if rest == name and name[:1] in _NUMBER_STARTS:
        rest = _JOINED_NUMBER.sub("", name, count=1)
    return rest if rest != name and any(c.isalpha() for c in rest) else name


# A file's number with no blank after its dot, or with a leading zero and no dot ("5.The Kernel
# Trick.md", "01 Foundations and Philosophy.md"; round 41: a vault's course folders named their
# notes so, and the concepts were "5.The Kernel Trick" and "01 Foundations and Philosophy").
# A number that goes on ("1.5B Model") or a digit that is no zero-padded place ("3 Sigma")
# stays.
# Taken at the name's start only: "100 Days of ML" and "1000.Words" are no "00 " or "000." of a
# number (review41b: they were "1Days of ML" and "1Words").
# A book's part in Roman numerals and its chapter, joined to the name ("I.2.Linear Algebra",
# "I.3.Probability And Information Theory": round 51, qa51, a site's notes on a textbook named
# its chapters so), and a chapter's section so ("2.4.Norms"); "I.Robot" has no chapter.
_JOINED_NUMBER = re.compile(r"^(?:(?:\d{1,3}|[IVX]{1,4}\.\d{1,3})(?:\.\d{1,3})*\.(?=[A-Z][a-z])"
                            r"|0\d[ \t]+(?=[A-Z]))")
_NUMBER_STARTS = frozenset("0123456789IVX")


# What goes on after a lecture's number with no mark between that is no subject: more
# numbers ("Lecture 3 and 4", "lec 7 to 9") or the lecture's own parts ("Lecture 5
# continued", "Lesson 2 notes"). Review41b: such files were concepts "and 4", "to 9".
_NOT_A_SUBJECT = (r"(?:and|or|of|to|through|thru|till|until|continued|cont|part|notes?"
                  r"|recap|review|slides|summary)\b")


# A numbered step of a page before its name: "Approach 1: Test and Set", "Lecture 3: CNNs",
# "Part 2 - Attention". The page's order, no part of the name.
_LABELLED_NUMBER = re.compile(
    r"^(?:step|part|chapter|lecture|lect?|lesson|week|day|module|unit|approach|method|option"
    # round 48 (qa48): a course's notebooks open "Seminar 01: Naive Bayes from scratch"
    r"|session|tutorial|lab|seminar)\s+\d{1,3}[a-z]?(?:\s*[:.)\u2013\u2014-]\s+(?=\S)"
    # or a comma, as a tutorial's Org notes head theirs ("Part 1, Forward Propagation": round
    # 52, qa52), not before the step's own part or more numbers ("Chapter 3, Part I"), nor
    # before a word in lower case, the title going on ("Part 2, explained", "Part 3, the
    # end": review52c, every such part was a concept "explained")
    r"|,\s+(?!(?:part|and|or|to)\b)(?=(?-i:[^\W\d_a-z])))"
    # A lecture's number and then its subject with no mark between ("lec 26 Binary Search
    # Tree", round 41: an Org course file's 30 headings)
    r"|(?:lecture|lect?|lesson)\s+\d{1,3}\s+(?!" + _NOT_A_SUBJECT + r")(?=[^\W\d_])"
    # ... and a book's chapter or part before its title in capitals ("Chapter 13 Spectral
    # Clustering", "Part 4 Classification": round 54, qa54, a textbook's notes in reST)
    r"|(?:chapter|part)\s+\d{1,3}\s+(?!" + _NOT_A_SUBJECT + r")(?=(?-i:[^\W\d_a-z]))"
    # A textbook's typed block before what it states: "Algorithm: Ridge Regression",
    # "Definition: Sparsity", "Theorem 2: ..." (round 34: a course book's notebooks)
    r"|(?:algorithm|definition|theorem|lemma|proposition|corollary)(?:\s+\d{1,3}(?:\.\d{1,3})*)?"
    r"\s*:\s+(?=\S)", re.IGNORECASE)
# A task keyword before a heading, as Org writes it and its exporters keep it
# (`### <span class="org-todo">TODO</span> Case Control Sampling` from ox-hugo).
# The year a paper came out before its title, as a vault of paper notes names each note
# ("2017 - Attention Is All You Need", round 30): the vault's order, no part of the name.
# So is a lecture's day before its subject, with the author's mark beside it ("2023-03-08 (x) -
# Backpropagation", "2023-05-09 - (x) Reinforcement Learning": round 35, a vault of dated
# lecture notes; the second, an empty note, was a concept "2023-05-09 - (x)" of kind
# "Reinforcement Learning").
_LEADING_YEAR = re.compile(r"^(?:19|20)\d\d(?:([-_.])\d\d\1\d\d)?\s*(?:\([^()\s]{1,3}\)\s*)?"
                           r"[-\u2013\u2014:]\s+(?:\([^()\s]{1,3}\)\s+)?(?=[^\W\d_])")
# A one-word tag in brackets before a heading: "(Optional) Term weighting", "(Bonus) Stacking",
# "(iClicker) Exercise 4.1" (round 41: a course's lecture notebooks): what the course makes of
# the section, no part of its name.
# Only a word that says what the course makes of the section: "(Soft) Attention", "(Deep)
# Q-learning", "(Variational) Autoencoders" are names, their bracket a part of them (review41b:
# they were "Attention", "Q-learning", "Autoencoders", merged with those concepts).
_LEADING_TAG = re.compile(
    r"^\((?:optional|bonus|extra|advanced|iclicker|clicker|challenge|required|recommended"
    r"|draft|wip|todo|new|updated|video|reading|aside|supplementary|supplemental|hint"
    r"|solution|spoiler|ungraded|graded|important|tip|review|recap|exercise|homework"
    r"|skip|skippable|optionnel|facultatif|opcional)\)\s+(?=\S)", re.IGNORECASE)
_TASK_KEYWORD = re.compile(r"^(?:TODO|DONE|NEXT|WAITING|WAIT|HOLD|CANCELLED|CANCELED)\s+(?=\S)")
# A citation written into a heading: Org's `[cite:@key]` (`[cite/t:@a;@b]`), Pandoc's `[@key]`.
_CITATION = re.compile(r"(?<!\s)\s*\[(?:cite(?:/[\w/-]*)?:[^\]\n]*|@[^\]\n]*)\]")
# Where a paper's title can be read, tagged after it: "Attention Is All You Need [arXiv]",
# "... [pdf] [code]" (round 35: a folder of paper notes, the tag a link to the paper).
_SOURCE_TAG = re.compile(r"(?:\s*\[(?:arxiv|pdf|paper|code|github|blog|video|slides|project"
                         r"|project page|openreview|doi|html|website|link)\])+$", re.IGNORECASE)
# What state a note is in, marked after its heading: "Mean [WIP]", "Feature Scaling [WIP]",
# "Notes on distances (draft)" (round 45, qa45b: a course's maths notebooks were the concepts
# "Mean [WIP]" ...); and a numbered citation after a heading, "Focusing [2]", the number of a
# book in the note's list of sources (the concept was "Focusing [2]").
_STATUS_TAG = re.compile(r"(?<!\s)\s+(?:[\[(](?:wip|draft|todo|tbd|unfinished|incomplete"
                         r"|(?:work )?in progress)[\])]|\[\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})*\])$",
                         re.IGNORECASE)
# A part of a lecture or a post in several, after its subject: "Support Vector Machines, Part
# I", "Attention - Part 2", "Kernels (part 3)" (round 51, qa51: a course site's lectures in two
# parts were two concepts, each named with its part, and the subject named none). Not after
# a number: "Chapter 3, Part I", "Homework 3 - Part 2" are two pieces of work (review51c).
_PART_NUMBER = r"part\s+(?:\d{1,2}|[ivx]{1,4})"
_TRAILING_PART = re.compile(
    rf"(?<=[^\W\d]|\))(?:\s*[,:\u2013\u2014-]\s*{_PART_NUMBER}|\s+\({_PART_NUMBER}\))$",
    re.IGNORECASE)
# A reference manager's citation key before a paper's title, as org-roam-bibtex titles a
# literature note ("hjelm_learning_2019: Learning deep ...", "nasarGrandPursuitStory2011:
# Grand pursuit"): one lower-case token holding a year, or words joined by "_".
# As one pattern (`^[a-z][\w-]*?(?:(?:19|20)\d\d[a-z]?|_[\w-]*\d{2}[\w-]*|_[a-z][\w-]*_[\w-]+)
# :\s+(?=\S)`) it was quadratic on a heading `x___...___:` (100,000 `_`: two minutes, past a
# reader's budget; audit30): the key is the word before the colon, and each of its three
# shapes is asked of that word once.
_CITEKEY_SHAPE = re.compile(r"[a-z][\w-]*+:\s++(?=\S)")
_YEAR_END = re.compile(r"(?:19|20)\d\d[a-z]?")
_TWO_DIGITS = re.compile(r"\d\d")
_LOWER = re.compile(r"[a-z]")


def _drop_citekey(text: str) -> str:
    """`text` without the citation key before a colon that opens it, if one does."""
    m = _CITEKEY_SHAPE.match(text)
    if m is None:
        return text
    key = text[: text.index(":")]
    n = len(key)
    # A year at its end ("hjelm_learning_2019"), after one letter at least.
    if any(i >= 1 and _YEAR_END.fullmatch(key, i) for i in (n - 4, n - 5)):
        return text[m.end():]
    # "_" after its first letter, two digits after that; or "_", a letter, and a later "_"
    # with something after it (the first such "_" leaves the most room).
    first = key.find("_", 1)
    if first > 0 and _TWO_DIGITS.search(key, first + 1) is not None:
        return text[m.end():]
    i = first
    while i > 0:
        if i + 1 < n and _LOWER.match(key, i + 1):
            return text[m.end():] if key.find("_", i + 2, n - 1) > 0 else text
        i = key.find("_", i + 1)
    return text
_URL_NAME = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)\S+$", re.IGNORECASE)
# What follows a name on a list of models or a note's heading: the year it came out
# ("ResNet-50 (2015)", "Inception v3(2015)": the year was a short form, found by "2015"; or
# the decade, "Diffusion Models(2020s)", qa47), a colon ending the heading ("Named Entity
# Recognition :"). "Ratio 1:2:" keeps its colon. A month before the year too: "MeanFlow (May
# 2025)", "Transition Matching (June 2025)" (round 49, qa49: a Quarto book's overview dated
# each method so; "May 2025" was the expansion of "MeanFlow", two concepts of one method).
# The venue before the year: "DCGAN (ICLR 2016)", "HDRCNN (Siggraph Asia 2017)" (round 51,
# qa51: a Sphinx site's paper notes named 51 models so, and `show SSD` found nothing).
# The authors citing the paper before its year: "Word2Vec (Mikolov et al. 2013)", "Adam (Kingma
# & Ba, 2014)" (review51c). A product's edition before the year is its name's: "Windows
# (Server 2019)", "Office (Home Edition 2016)" keep theirs (`_EDITION`, read52).
_EDITION = (r"(?!(?:Server|Edition|Home|Pro|Professional|Enterprise|Community|Standard|Express"
            r"|Update|Release|Version|Build|Preview|Beta|Service|Ultimate|Premium|Business"
            r"|Education|Student|Mobile|Desktop|Datacenter|Workstation|Core|Web|Plus)\b)")
_YEAR_BODY = (
    _EDITION
    + r"(?:(?i:january|february|march|april|may|june|july|august|september|october"
    r"|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?\s+"
    r"|[A-Z][A-Za-z-]{1,15}(?: [A-Z][A-Za-z-]{1,15})?\s+"
    r"|[A-Z][\w'-]{1,20}(?: et al\.?| (?:and|&) [A-Z][\w'-]{1,20})?,?\s+)?"
    r"(?:1[89]|20)\d\ds?\s*")
# ... or in brackets, as a slide cites the paper: "AlexNet [Krizhevsky et al., 2012]" (qa53).
_TRAILING_YEAR = re.compile(
    rf"(?<!\s)\s*(?:\(\s*{_YEAR_BODY}\)|\[\s*{_YEAR_BODY}\])$")
# The same year glued to a name a subtitle follows: "ResNet(2015): Residual Network" (qa47: a
# lecture set's network notes; `show ResNet` found nothing).
_GLUED_YEAR = re.compile(r"(?<=[^\W_])\((?:1[89]|20)\d\ds?\)(?=:\s)")
# A mark in brackets after a heading: "Quantile Regression (+)", "Proofs (*)" (a book marks
# its advanced sections so; round 40).
_TRAILING_MARK = re.compile(r"(?<!\s)\s+\([+*\u2020\u2021!]{1,3}\)$")
_TRAILING_COLON = re.compile(r"(?:(?<=[^\W\d_])|(?<=\)))\s*:$|(?<!\s)\s+:$")
# A cheat sheet's heading glosses its name after a dash, in lower case: "PCA — variance via
# orthogonal axes", "SARSA — on-policy, realistic target", "Deep Q-Networks — code/agents/dqn.py"
# (round 31: a course's exam notes, 11 headings). The name is what comes before the dash;
# "Evaluation — Imbalanced Data" (a capital after it) stays as written. A phrase of three
# words or more in Korean, which has no capitals, is a gloss too ("Multimodal Fusion -- (a
# way to join several inputs, in Korean)", round 48: a Korean wiki's titles and headings),
# after two hyphens as well; a word or two after the dash may be the name in Korean. Two
# hyphens before lower case are a command's end of options ("git checkout -- file",
# "kubectl exec -- sh": review48b, "git checkout" merged the command that discards a file's
# changes with the one that switches branches), no dash.
_GLOSS = re.compile(r"(?P<name>[^\s\u2013\u2014](?:[^\u2013\u2014]{0,58}[^\s\u2013\u2014])?)"
                    r"\s+(?:[\u2013\u2014]\s+[a-z(]"
                    r"|(?:[\u2013\u2014]|--)\s+[\uac00-\ud7a3]\S*(?:\s+\S+){2,}$)")
# A page titled as the question it answers: "What is Supervised Learning?", "What is
# Ranking" (round 29: four public repositories). A question about something else ("What is
# the role of attention?", "What is it?") names no thing and stays as written.
_WHAT_IS = re.compile(r"what\s+(?:is|are)\s+(?:an?\s+|the\s+)?([^?:;,\u2013\u2014]+?)\s*\??",
                      re.IGNORECASE)
# The same question as a Korean writer heads it: "Imitation Learning이란" ("imitation
# learning is ..."), "VLA란 무엇인가" ("what is VLA"; round 48: a Korean wiki's sections). An
# English name before the particle, or the question's "무엇" after it: "혼란" (confusion) ends
# in the same syllable.
_WHAT_IS_KO = re.compile(r"(?P<name>.*?[A-Za-z0-9)])\s*이?란\s*(?:무엇인가|무엇일까)?\s*\??"
                         r"|(?P<named>\S.*?)\s*이?란\s+(?:무엇인가|무엇일까)\s*\??")
# And as a Chinese writer heads it: "什么是 AutoEncoder" (what is an AutoEncoder), "注意力是什么"
# (round 50, qa50: a bilingual book's Chinese half kept the question as the concept's name).
# Only a name of one word or a short run of Chinese: "什么是最好的选择" (what is the best
# choice) asks about something else.
_WHAT_IS_ZH = re.compile(r"什么是\s*(?P<name>[^\s\uff1f?\uff0c,\uff1a:\u7684]{1,24}?)\s*[\uff1f?]?"
                         r"|(?P<named>[^\s\uff1f?\uff0c,\uff1a:\u7684]{1,24}?)\s*是什么\s*[\uff1f?]?")
_ABOUT_SOMETHING_ELSE = frozenset({
    "between", "of", "for", "in", "to", "with", "behind", "about", "when", "why", "how", "it",
    "this", "that", "they", "these", "those", "difference", "purpose", "role", "goal", "point",
    "idea", "intuition", "problem", "use", "meaning", "definition", "next", "new", "going",
    "on", "happening", "wrong", "so", "we", "you", "i", "my", "our", "your",
})


# An emoji as GitHub and note apps write it, `:rocket:`, before or after a name
# ("# :loudspeaker: Prompt Engineering :studio_microphone:"). The run at the end is found
# from the end (the text reversed, the pattern anchored there): searched for from the front,
# each `:code:` of a long run had the rest of the run scanned again, quadratic (a heading of
# 20,000 ` :ab:` then a word took 58 s to ingest, 40,000 failed the reader's budget; audit31).
_SHORTCODES_FIRST = re.compile(r"(?:\s*:[a-z0-9_+-]{2,40}:)+\s*")
_SHORTCODES_LAST_REVERSED = re.compile(r"\s*(?::[a-z0-9_+-]{2,40}:\s*)+")


def _without_shortcodes(text: str) -> str:
    """`text` without the runs of `:code:` that open and end it (what
    `^(?:\\s*:code:)+\\s*|(?:\\s*:code:)+\\s*$` removed), in linear time: a code holds no colon
    or blank, so the run at the end has one way to be read from the end."""
    m = _SHORTCODES_FIRST.match(text)
    rest = text[m.end():] if m else text
    m = _SHORTCODES_LAST_REVERSED.match(rest[::-1])
    return rest[: len(rest) - m.end()] if m else rest


def _decoration(c: str) -> bool:
    """A symbol that decorates a name: an emoji, a star, an arrow (`Neuroscience ⭐`)."""
    return unicodedata.category(c) in ("So", "Sk", "Cs") or c in "\ufe0f\u200d"


def bare_name(name: str) -> str:
    """A heading or title as a name: without its section number (`unnumbered`), a task
    keyword ("TODO Case Control Sampling"), its step label ("Approach 1:"), a citation in it
    (`[cite:@key]`), a citation key before it, or the symbols that decorate it; "" when
    nothing of a name is left (`[cite:key]`).

    >>> bare_name("Approach 1: Test and Set"), bare_name("Poisson Model [cite:@heeger2000]")
    ('Test and Set', 'Poisson Model')
    >>> bare_name("chen_big_2020: Big Models"), bare_name("🔹 Neural Networks ⭐")
    ('Big Models', 'Neural Networks')
    >>> bare_name(":rocket: Prompt Engineering :studio_microphone:"), bare_name("Ratio 1:2:")
    ('Prompt Engineering', 'Ratio 1:2:')
    >>> bare_name("ResNet-50 (2015)"), bare_name("Named Entity Recognition :")
    ('ResNet-50', 'Named Entity Recognition')
    >>> bare_name("SSD (ECCV 2016)"), bare_name("HDRCNN (Siggraph Asia 2017)")
    ('SSD', 'HDRCNN')
    >>> bare_name("FSAF(CVPR 2019)"), bare_name("Windows (server 2019)")
    ('FSAF', 'Windows (server 2019)')
    >>> bare_name("Windows (Server 2019)"), bare_name("Office (Home Edition 2016)")
    ('Windows (Server 2019)', 'Office (Home Edition 2016)')
    >>> bare_name("Word2Vec (Mikolov et al. 2013)"), bare_name("Adam (Kingma & Ba, 2014)")
    ('Word2Vec', 'Adam')
    >>> bare_name("AlexNet [Krizhevsky et al., 2012]"), bare_name("GloVe [2014]")
    ('AlexNet', 'GloVe')
    >>> bare_name("2017 - Attention Is All You Need"), bare_name("2048 Game")
    ('Attention Is All You Need', '2048 Game')
    >>> bare_name("2023-03-08 (x) - Backpropagation"), bare_name("2023-05-09 - (x) Q-Learning")
    ('Backpropagation', 'Q-Learning')
    >>> bare_name("Dropout Explained  by Ann Lee  Feb, 2023  Towards Data Science")
    'Dropout Explained'
    >>> bare_name("What is Supervised Learning?"), bare_name("What is the role of attention?")
    ('Supervised Learning', 'What is the role of attention?')
    >>> bare_name("PCA — variance via orthogonal axes"), bare_name("Evaluation — Imbalanced Data")
    ('PCA', 'Evaluation — Imbalanced Data')
    >>> bare_name("Layer Normalization [arXiv]"), bare_name("Adam [pdf] [code]")
    ('Layer Normalization', 'Adam')
    >>> bare_name("Quantile Regression (+)"), bare_name("Define Search Spaces**")
    ('Quantile Regression', 'Define Search Spaces')
    >>> bare_name("(Optional) Term weighting (TF-IDF)"), bare_name("(Un)supervised Learning")
    ('Term weighting (TF-IDF)', '(Un)supervised Learning')
    >>> bare_name("(iClicker) Exercise 4.1"), bare_name("(Soft) Attention")
    ('Exercise 4.1', '(Soft) Attention')
    >>> bare_name("Mean [WIP]"), bare_name("Focusing [2]"), bare_name("Word2Vec [Skip-gram]")
    ('Mean', 'Focusing', 'Word2Vec [Skip-gram]')
    >>> bare_name("SVMs, Part II"), bare_name("Attention - part 2"), bare_name("Kernels (Part 3)")
    ('SVMs', 'Attention', 'Kernels')
    >>> bare_name("Body Part 2"), bare_name("Part 2"), bare_name("Counterpart 2")
    ('Body Part 2', 'Part 2', 'Counterpart 2')
    >>> bare_name("Chapter 3, Part I"), bare_name("Homework 3 - Part 2")
    ('Chapter 3, Part I', 'Homework 3 - Part 2')
    >>> bare_name("Part 1, Forward Propagation"), bare_name("Part 1, 2 and 3")
    ('Forward Propagation', 'Part 1, 2 and 3')
    >>> bare_name("Lecture 4, and more"), bare_name("Weekly 3, Recap")
    ('Lecture 4, and more', 'Weekly 3, Recap')
    >>> bare_name("Part 2, explained"), bare_name("Part 3, the end")
    ('Part 2, explained', 'Part 3, the end')
    """
    if len(name) > CACHED_HEADING_CHARS:
        return _bare_name.__wrapped__(name)
    return _bare_name(name)


# The same section headings ("Details", "Examples") recur note after note; remembered as
# `heading_key` is, not for a name too long to be one.
@lru_cache(maxsize=8192)
def _bare_name(name: str) -> str:
    text = unnumbered(name)
    if "$" in text:
        text = _letter_formulas(text)
    text = _LEADING_YEAR.sub("", text, count=1)
    text = _TASK_KEYWORD.sub("", text, count=1)
    if text[:1] == "(":
        text = _LEADING_TAG.sub("", text, count=1)
    text = _LABELLED_NUMBER.sub("", text, count=1)
    if "[" in text:
        text = _SOURCE_TAG.sub("", _CITATION.sub("", text)).strip()
    if text.endswith(("]", ")")):
        text = _STATUS_TAG.sub("", text, count=1)
    if "art " in text[-12:] or "ART " in text[-12:]:
        text = _TRAILING_PART.sub("", text, count=1)
    text = _drop_citekey(text)
    start, end = 0, len(text)
    while start < end and (_decoration(text[start]) or text[start].isspace()):
        start += 1
    while end > start and (_decoration(text[end - 1]) or text[end - 1].isspace()):
        end -= 1
    text = _without_shortcodes(text[start:end])
    if start and text[:1].isdigit():
        # "📖 1. Basic Structure of RNN": the symbol decorates the heading, the number is its
        # place on the page (round 37: a lecture set numbered its sections after an emoji)
        text = unnumbered(text)
    if " by " in text and (m := _CLIPPED_BYLINE.search(text)) is not None and m.start() > 0:
        text = text[:m.start()]
    if text[:4].casefold() == "what" and (m := _WHAT_IS.fullmatch(text)) is not None:
        words = m.group(1).split()
        if len(words) <= 5 and " - " not in m.group(1) and \
                not _ABOUT_SOMETHING_ELSE.intersection(w.casefold() for w in words):
            text = m.group(1)
    if "란" in text and (m := _WHAT_IS_KO.fullmatch(text)) is not None:
        text = m["name"] or m["named"]
    if "什么" in text and (m := _WHAT_IS_ZH.fullmatch(text)) is not None:
        text = m["name"] or m["named"]
    if ("\u2014" in text or "\u2013" in text or " -- " in text) \
            and (m := _GLOSS.match(text)) is not None \
            and len(m.group("name").split()) <= 6 and any(c.isalpha() for c in m.group("name")):
        text = m.group("name")
    if "(" in text and (glued := _GLUED_YEAR.search(text)) is not None:
        text = text[:glued.start()] + text[glued.end():]
    if text.endswith((")", "]", ":")):
        bare = _TRAILING_COLON.sub("", _TRAILING_YEAR.sub("", text, count=1), count=1)
        bare = _TRAILING_MARK.sub("", bare, count=1)
        text = bare if any(c.isalpha() for c in bare) else text
    if text.endswith("**") and text.count("**") == 1:
        text = text[:-2].rstrip()  # a bold run closed but never opened ("Tuning Spaces**")
    if "\u8be6" in text and (m := _EXPLAINED_ZH.search(text)) is not None and m.start() > 0:
        text = text[:m.start()] + (m["gloss"] or "")
    return text if any(c.isalnum() for c in text) else ""


# "X 详解" (X explained in detail), "X 详细讲解", "X 详细解释": how the section treats X, no part of
# X's name; its gloss in brackets after it stays ("LiRA 详解(Likelihood Ratio Attack)" is "LiRA
# (Likelihood Ratio Attack)", full-width brackets too; read57: round 56 left "Chu-Liu-Edmonds
# 详解" a name of its own).
_EXPLAINED_ZH = re.compile(r"\s*(?:\u8be6\u89e3|\u8be6\u7ec6\u8bb2\u89e3|\u8be6\u7ec6\u89e3\u91ca)"
                           r"(?P<gloss>\s*[\uff08(][^\uff08\uff09()]{1,60}[\uff09)])?\s*$")


# A formula of one Latin letter in a heading, with one or two digits below or above it or none:
# "$K$ Nearest Neighbors Classifier", "$L_1$ Regression", "$k$-Means" (round 54, qa54: a
# textbook's notes in reST, where `:math:` sets the letter; holding a formula, the heading was
# no name, and a sibling section lost its entry with it).
# A Greek letter's control word is that letter ("$\\epsilon$-greedy" is "\u03b5-greedy", as the
# heading shows it; read55: round 54 left it no name), its variant form the same letter.
_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
          "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi",
          "omega")
_LETTER_FORMULA = re.compile(
    r"(?<![\\$\w])\$(?:([A-Za-z])|\\(?:var)?(" + "|".join(_GREEK)
    + "|" + "|".join(g.capitalize() for g in _GREEK) + r")(?![A-Za-z])\s*)"
    r"(?:[_^](?:(\d{1,2})|\{(\d{1,2})\}))?\$(?![$\w])")
# ... beside a word of its own: a formula alone ("$x$") or over a symbol's values names nothing.
_WORD_BESIDE = re.compile(r"[^\W\d_]{3,}")
# ... or joined to a word by a hyphen, whatever its length: "$k$-NN" is "k-NN" (review54c).
_JOINED_WORD = re.compile(r"\$-[^\W\d_]")


def _greek(name: str) -> str:
    """The Greek letter a TeX control word names ("epsilon" -> "\u03b5", "Gamma" -> "\u0393")."""
    case = "CAPITAL" if name[0].isupper() else "SMALL"
    return unicodedata.lookup(f"GREEK {case} LETTER {name.upper().replace('LAMBDA', 'LAMDA')}")


def letters_plain(text: str) -> str:
    """`text` with each formula of one letter (`_LETTER_FORMULA`) as that letter and its
    digits: "An $\\epsilon$-greedy policy" reads "An \u03b5-greedy policy"."""
    return _LETTER_FORMULA.sub(lambda m: (m[1] or _greek(m[2])) + (m[3] or m[4] or ""), text)


# A Greek letter standing alone in a name, as a symbol does ("\u03b5-greedy", "\u03b2-VAE"),
# not one of a word in Greek.
_LONE_GREEK = re.compile(r"(?<![^\W\d_])[\u0391-\u03a9\u03b1-\u03c9](?![^\W\d_\u00b2\u00b3\u00b9])")


def greek_spelled(name: str) -> str:
    """`name` with each Greek letter standing alone in it spelled as its TeX control word says
    it, as a note or a search without the letter writes it (review55a: "\u03b5-greedy", read55's
    name of "$\\epsilon$-greedy", was found by no "epsilon-greedy").

    >>> greek_spelled("\u03b5-greedy"), greek_spelled("\u0393-Convergence")
    ('epsilon-greedy', 'Gamma-Convergence')
    >>> greek_spelled("\u03bb\u03cc\u03b3\u03bf\u03c2")  # a Greek word
    '\u03bb\u03cc\u03b3\u03bf\u03c2'
    """
    if name.isascii():  # no Greek letter (issue 14: one test an entry)
        return name

    def spelled(m: re.Match[str]) -> str:
        word = unicodedata.name(m[0], " ").rsplit(" ", 1)[1].lower().replace("lamda", "lambda")
        return (word.capitalize() if m[0].isupper() else word) or m[0]

    return _LONE_GREEK.sub(spelled, name)


def _letter_formulas(text: str) -> str:
    """`text` with each formula of one letter (`_LETTER_FORMULA`) as that letter and its digits
    ("L1 Regression"), when a word of three letters or more lies outside every formula or a
    hyphen joins one to a word ("k-NN"); else `text` as it is.

    >>> _letter_formulas("$L_1$ Regression: Lasso"), _letter_formulas("$x$")
    ('L1 Regression: Lasso', '$x$')
    """
    plain = letters_plain(text)
    if "$" in plain or (_WORD_BESIDE.search(_LETTER_FORMULA.sub(" ", text)) is None
                        and _JOINED_WORD.search(text) is None):
        return text
    if any(m[2] and not (m[3] or m[4]) and text[m.end():m.end() + 1] != "-"
           for m in _LETTER_FORMULA.finditer(text)):
        # a Greek letter alone beside a word is a symbol's ("$\alpha$ Schedules", qa54), one
        # joined to a word or with its digit a name's ("$\epsilon$-greedy", "$\chi^2$ Test")
        return text
    return plain


# A web clipper's title of an article: "Title | by Author | Feb, 2023 | Towards Data Science",
# its bars dropped from a file's name ("Title  by Author  Feb, 2023  Towards Data Science"):
# the byline, the month and the site are no part of the article's name (round 35: a vault's
# three clipped articles were named so).
_CLIPPED_BYLINE = re.compile(
    r"\s+(?:\|\s*)?by\s+(?:[A-Z][\w.'\u2019-]*\s+){0,4}[A-Z][\w.'\u2019-]*\s*(?:\|\s*)?"
    r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?,?\s+(?:\d{1,2},?\s+)?"
    r"\d{4}\s*\|?\s*\S.*$")


# A heading that states something about its subject ("`unnorm_prob` is an unnormalized
# probability function which always outputs a positive number", round 31: a notebook named so)
# is a sentence, no name: a verb "is"/"are" in lower case after its subject, in a heading of
# six words or more written in sentence case. A title keeps its capitals ("Attention Is All
# You Need", "Neural Redshift: Random Networks are not Random Functions").
_STATES = re.compile(r"\S\s+(?:is|are|was|were|has|have|does|do|can|will|should|must)\s+\S")
_WORDS = re.compile(r"[^\W\d_][\w'-]*")


def is_statement(title: str) -> bool:
    """Whether a heading or title is a sentence about a thing, not the name of one.

    >>> is_statement("`unnorm_prob` is an unnormalized probability function that is positive")
    True
    >>> is_statement("Attention Is All You Need"), is_statement("What is Supervised Learning?")
    (False, False)
    """
    words: list[str] = _WORDS.findall(title)
    if len(words) < 6 or _STATES.search(title) is None \
            or title[:5].casefold() in ("what ", "how i"):
        return False
    long = [w for w in words[1:] if len(w) >= 4]
    return sum(1 for w in long if w[0].isupper()) * 2 < len(long)


# A file or a folder as a notes page lists a source tree: a path from the root or the current
# folder (`/cmake`, `./tools/ci`), a pattern of files (`build.*`), or a file name with its kind
# (`BUILD.md`, `setup.py`, `CMakeLists.txt`): a place in a repository, never a concept (round
# 37: a runtime's tree described folder by folder made 14 concepts). A product named like a
# file (`Node.js`, `ASP.NET`, `Socket.io`) has no such kind, nor has a port named by its
# language (`llama.cpp`, `whisper.cpp`, `llm.c`: review37b, they were dropped).
_PATH_NAME = re.compile(
    r"(?:\.{0,2}|~)/[\w.*@+-]*(?:/[\w.*@+-]+)*/?|[\w.-]+\.\*"
    r"|[\w.-]+\.(?:md|markdown|txt|rst|ipynb|py|pyi|json|ya?ml|toml|cfg|ini|sh|bat|ps1|cmake|"
    r"h|hh|hpp|cc|cxx|cu|rs|java|kt|scala|csv|tsv|xml|lock|tex|bib|mk|gradle|proto|onnx)",
    re.IGNORECASE)


def names_nothing(name: str) -> bool:
    """Whether a name is an address (`https://google.com` as a list's term), a release's
    number ("v0.13.1", what is left of a changelog's "v0.2 — fairer baselines") or a path in a
    source tree (`/cmake`, `BUILD.md`, `build.*`), not a name.

    >>> names_nothing("https://google.com"), names_nothing("v0.13.1"), names_nothing("1.2.0")
    (True, True, True)
    >>> names_nothing("YOLOv2"), names_nothing("GPT-4"), names_nothing("Python 3.12")
    (False, False, False)
    """
    name = name.strip()
    return (_URL_NAME.match(name) is not None or _VERSION_NAME.fullmatch(name) is not None
            or _PATH_NAME.fullmatch(name) is not None)


# A release's number alone: a heading of a project's timeline or changelog ("v0.1 — persistent
# routing", "1.2.0") names a version of the project, no concept (round 37: a wiki's timeline
# page gave nine concepts "v0.1" ... "v0.13.1"). Without a dot at most two digits ("v2"):
# "V100" is a GPU (review37b).
_VERSION_NAME = re.compile(r"v(?:\d{1,2}|\d{1,4}(?:\.\d{1,4}){1,3})|\d{1,4}(?:\.\d{1,4}){2,3}",
                           re.IGNORECASE)


def is_see_also_heading(title: str) -> bool:
    """Whether a heading opens a list of related pages (`See also`, `Related pages`)."""
    return heading_key(title) in _SEE_ALSO_HEADINGS


# Generic headings that open a note about its subject: the text under "# Introduction" in
# RNN.md, or "# Overview" in QLoRA.md, says what the note's subject is (round 26: public
# vaults open many notes so). Other generic headings ("# Links", "# References") do not.
_OPENING_HEADINGS = frozenset({
    "introduction", "intro", "overview", "summary", "definition", "description", "basics",
    "background", "main idea", "key ideas", "intuition", "tl;dr", "tldr", "what is it",
    # as a Spanish-language wiki opens "### Numba" with "#### Introducción" (round 31)
    "introducción", "introduccion", "resumen",
})


def opens_note(title: str) -> bool:
    """Whether a note's first heading opens it on its subject ("Introduction", "Overview")."""
    return heading_key(title) in _OPENING_HEADINGS


# A course's unit at the start or end of a heading: "Day 3 — Attention", "Week 2: Basics",
# "Lecture 4", "Day 59 Resources", "Revision Flashcards — Day 21", "Month 2-3: Fine-Tuning".
# Such a heading is a part of the course, which covers several things, none of them named.
# A section's heading is judged without its unit (`bare_name`: "Day 3 — Attention" is
# "Attention", an entry when its text defines Attention); a page's title as written.
# "lec 12" and "lect 3" are a lecture too (round 41: an Org course file's 18 headings "lec N").
_COURSE_UNIT = r"(?:day|week|month|lecture|lect?|lesson|session|semester)[\s_-]*\d{1,3}"
# "Lecture 12: Support Vector Machines", "Lesson 3 - Dropout": the unit, then what it is about.
_LECTURE_TITLE = re.compile(
    r"(?:lecture|lect?|lesson)[\s_-]*\d{1,3}(?:\s*[:.\u2013\u2014-]\s+"
    r"|\s+(?!" + _NOT_A_SUBJECT + r")(?=[^\W\d_]))(\S.*)")
_COURSE_HEADING = re.compile(
    rf"^{_COURSE_UNIT}(?:\s*[-\u2013\u2014]\s*\d{{1,3}})?\b(?!\s*[-+/x*]\s*\w)"
    rf"|\s[-\u2013\u2014:|]\s+{_COURSE_UNIT}$")


# A heading or title that is only a formula, in dollars or `\\(...\\)`.
MATH_ONLY = re.compile(r"\s*(?:\$\$?[^$]+\$\$?|\\\(.+\\\))\s*", re.DOTALL)


_ARTICLE = re.compile(r"^(?:the|a|an|our) (?=\S)")


# The words of a page's parts (`_GENERIC_HEADINGS`, `_PAGE_PARTS`), the kinds of a thing alone
# ("Model", "Method", "Dataset", "Paper") and the aspects of one ("Performance", "Memory"): a
# heading of these words only names no thing a pronoun under it could describe (review46a:
# a paper summary's "## Method" over "It proposes ...", "## Experimental setup" over "It uses
# ...", a notebook's "## Plot" over "It draws ..." were concepts named so).
_PART_WORDS = frozenset(
    {w for heading in _GENERIC_HEADINGS for w in heading.split()}
    | {
        "method", "model", "models", "dataset", "data", "paper", "algorithm", "function",
        "library", "package", "tool", "framework", "benchmark", "project", "book", "course",
        "lecture", "talk", "video", "chapter", "notebook", "script", "repository", "repo",
        "config", "configuration", "pipeline", "contribution", "plot", "plotting",
        "visualization", "visualisation", "visualize", "evaluate", "predict", "prediction",
        "performance", "accuracy", "speed", "cost", "runtime", "time", "complexity", "memory",
        "hardware", "environment", "compute", "critique", "reproducibility", "scalability",
        "hyperparameters", "preparation", "procedure", "experimental", "personal", "my",
        "proposed", "this", "today", "tl;dr", "tldr",
    }
)


def names_a_part_only(heading: str) -> bool:
    """Whether every word of a heading is a word of a page's parts, a kind or an aspect
    (`_PART_WORDS`): "Method", "Training details", "Our model"; not "Weibull model".

    >>> names_a_part_only("Experimental setup"), names_a_part_only("Weibull model")
    (True, False)
    """
    words = _ARTICLE.sub("", heading_key(heading)).split()
    return bool(words) and all(w in _PART_WORDS for w in words)


def is_generic_heading(title: str) -> bool:
    """Whether a heading names a part of a page ("Introduction", "Code", "References"), also
    when it says of what ("Summary of acquisition functions", "Properties of CTC"), or a
    part of a course ("Day 3 — Attention", "Week 2: Basics", "⚡ Tasks"), or a notebook's
    step ("Read data")."""
    return _names_part(title, _GENERIC_HEADINGS, _GENERIC_HEADINGS)


# A heading that looks back on what its page is about ("AdaBoost Review", "Elastic Net
# Summary", "Week 3 Recap"), or two words of a page's parts ("Intro Question", "Intro
# Solution"; round 49: a course's recitation notes and slides).
_LOOK_BACK = re.compile(r"\S.*?\s(?:review|recap|summary)")
_PARTS_PAIR = re.compile(r"[^\s:]+\s[^\s:]+")


def reads_as_part(heading: str) -> bool:
    """Whether a section's heading reads as a moment of its page, a look back on its topic
    ("AdaBoost Review", "Elastic Net Summary") or two words of a page's parts ("Intro
    Question"): a part of the page unless its text defines it (`sections`), as "Code review
    is the practice of ..." does under "Code Review" (review49b: "Peer Review", "Literature
    Review", "Executive Summary", "Source Code", "Software Architecture" name things too).

    >>> reads_as_part("Elastic Net Summary"), reads_as_part("Intro Question")
    (True, True)
    >>> reads_as_part("Question Answering")
    False
    """
    key = _ARTICLE.sub("", heading_key(heading)).rstrip("? ")
    return _LOOK_BACK.fullmatch(key) is not None or (
        _PARTS_PAIR.fullmatch(key) is not None
        and all(w in _GENERIC_HEADINGS for w in key.split()))


def is_generic_title(title: str) -> bool:
    """`is_generic_heading` for the title of a whole page: "Training of Neural Networks" over
    a notebook names its subject, where "Training of the model" as a section of a page is a
    part of it. A title says of what only by a word of the page's furniture ("Summary of
    Chapter 3", "Notes on ..." is no such form); "Training" alone is still a part.

    A lecture or a lesson is about the one thing its title names after its number ("Lecture
    12: Support Vector Machines", a course's notebook: `bare_name` names it "Support Vector
    Machines"), where a day or a week of a course covers several ("Week 3 — Regularization").
    """
    lecture = _LECTURE_TITLE.match(heading_key(title))
    if lecture is not None:
        return _names_part(lecture[1], _GENERIC_HEADINGS, _PAGE_PARTS)
    return _names_part(title, _GENERIC_HEADINGS, _PAGE_PARTS)


def is_page_part(name: str) -> bool:
    """Whether a link's name names the furniture of a page (`[[Source]]`, `[[Notes]]`,
    `[[Summary]]`, `[[Figure 3]]`), never a page anyone would write. Narrower than
    `is_generic_heading`: "Parameters", "Training", "Evaluation" head a section as a part of
    their page, but "update the [[parameters]] after each batch" links to a page on them."""
    return _names_part(name, _PAGE_PARTS, _PAGE_PARTS)


# What a link says when its text is no name: "see here", "click here", "link", "here".
_LINK_WORDS = re.compile(r"(?:(?:see|click|read|go|more)\s+)?(?:here|this|link|more|below|above)"
                         r"\W*", re.IGNORECASE)


def names_a_part(name: str) -> bool:
    """Whether a link's name names a part of a page or says "here", not a page anyone would
    write: `[[Source]]`, `[[Notes]]`, `[[See here]]` after a sentence (round 30: a public vault),
    a link its writer meant for an address. Such a link is a dead link, never a wanted page.
    Only the furniture of a page counts (`is_page_part`): "Update the [[parameters]] after
    each batch" asks for a page (round 34), though "Parameters" heads a section as a part of
    its page."""
    return is_page_part(name) or _LINK_WORDS.fullmatch(name.strip()) is not None


def cites(name: str) -> bool:
    """Whether a link's name is a citation: `[[@Diagnostic ultrasound: physics and equipment]]`,
    `[[@hoskins2019]]`, as a reference manager's plugin names the literature note of a paper
    (Logseq's and Obsidian's Zotero plugins; round 31: 55 of a graph's 60 wanted pages, the
    notes deleted). A source, no concept anyone would write a page on: a dead link when its
    note is not there, never a wanted page."""
    return name.lstrip()[:1] == "@"


@lru_cache(maxsize=8192)  # a vault links the same few hundred names again and again
def no_page(name: str) -> str | None:
    """Why a link by this name asks for no page (`Link.no_page`): "part" (`names_a_part`),
    "source" (`cites`), else None."""
    return "part" if names_a_part(name) else "source" if cites(name) else None


# A list of things still to do, under a word or two that says which ("TODOs", "Random TODOs",
# "Open to-dos", "Book todo list"; round 35: a book's to-do page and a lecture note's list
# were concepts): the author's tasks, never a thing explained.
_TASK_LIST = re.compile(r"(?:[\w'-]+ ){0,3}(?:to-?dos|to dos|(?:to-?do|to do) lists?)")


# Questions or exercises of some kind ("Self-check questions", "Common interview questions",
# "Review exercises"; round 36: a study guide's pages each closed with two such sections,
# the one concept "Self-check questions" of three pages): a page's quiz, never a thing.
# "Questions for Data Exploration and Cleaning", "Questions on X" (round 45: a course deck's
# `questions.md`, what a student should answer by the end of a topic) are such a sheet too.
_QUIZ = re.compile(r"(?:[\w'-]+ ){1,3}(?:questions|exercises)"
                   r"|(?:questions|exercises)\s+(?:for|on|about)\s+.+"
                   # a quiz of its subject ("Quiz & Exam Prep", "Quiz: CNNs", "Quiz zur
                   # Faltung"), the questions of one in German ("Quiz & Prüfungsfragen",
                   # "Verständnisfragen"; read54: a Quarto course's quiz page was a concept)
                   # (not "Quiz Bowl", a QA task's questions; a course's "Practice Quiz" and
                   # "Pop Quiz" are quizzes too; not "Datenbankabfragen", queries: review54a)
                   r"|quiz(?:zes)?\s*(?:[&:]|and\s|und\s|on\s|of\s|for\s|zu[mr]?\s).+"
                   r"|(?:[\w'-]+ ){1,3}quiz(?:zes)?"
                   r"|(?:[\w'&-]+ ){0,3}(?:\w*(?:verständnis|prüfungs|kontroll|wiederholungs"
                   r"|übungs|klausur|test|quiz))?fragen|(?:[\w'&-]+ ){0,3}\w*übungen")


# The event a deck was given at, or the course it belongs to ("Data Analysis Summer School"
# on a Slidev deck's cover, read54): named by the event's kind last, never a thing it teaches.
# A school by its season or its students only: "Frankfurt School", "Chicago School" are schools
# of thought, concepts (review54a).
_EVENT = re.compile(r".+\s(?:(?:summer|winter|spring|autumn|fall|graduate|doctoral|phd)\s+school"
                    r"|course|workshop|bootcamp|boot camp|seminar|hackathon|lecture series)")


# A word of the page's furniture written with a letter left out or two letters swapped
# ("Definiton", "Implemetation", "Backgorund"; round 37: a course notebook's "Definiton" was a
# concept), or one typed twice ("Inttroduction"; round 50, qa50: an MkDocs site's): the same
# part. Only words of eight letters or more, and never their first or last
# letter, so a plural's singular ("Datasets", "Dataset") or another word stays apart.
_MISSPELT_MIN = 8


@lru_cache(maxsize=4)
def _misspellings(words: frozenset[str]) -> frozenset[str]:
    out: set[str] = set()
    for w in words:
        if len(w) < _MISSPELT_MIN or not w.isalpha():
            continue
        for i in range(1, len(w) - 1):
            out.add(w[:i] + w[i + 1:])
            out.add(w[:i + 1] + w[i:])
            if i < len(w) - 2:
                out.add(w[:i] + w[i + 1] + w[i] + w[i + 2:])
    return frozenset(out - words)


def _names_part(title: str, words: frozenset[str], of_words: frozenset[str]) -> bool:
    # A note's title is asked twice (its reader's `title_of`, then `add_page_entry`) and its
    # section headings recur note after note: remembered as `heading_key` is (issue 14).
    if len(title) > CACHED_HEADING_CHARS:
        return _names_part_of.__wrapped__(title, words, of_words)
    return _names_part_of(title, words, of_words)


@lru_cache(maxsize=8192)
def _names_part_of(title: str, words: frozenset[str], of_words: frozenset[str]) -> bool:
    written = heading_key(title)
    key = _ARTICLE.sub("", written).rstrip("? ")  # "The Problem", "The Idea", "What is it?"
    if key in words or key in _misspellings(words) or _COURSE_HEADING.search(key) \
            or _SETUP_STEP.match(key) \
            or _FLOAT_HEADING.fullmatch(key) or _TASK_LIST.fullmatch(key) \
            or _QUIZ.fullmatch(key) or _EVENT.fullmatch(key):
        return True
    if of_words is _GENERIC_HEADINGS and _CONNECTION.fullmatch(key):
        # A section of a page (`is_generic_heading`); a page titled "Relation to PCA" or "Link
        # to the Brain" (`is_generic_title`) is about that link (review48b: it was no concept).
        return True
    if key.endswith(")") and (bare := _QUALIFIED.fullmatch(key)) is not None \
            and bare[1] in words:
        # "Historical Notes (Guidance)", "Summary (Part 2)": the part, saying of which
        return True
    part, colon, rest = key.replace("\uff1a", ": ").partition(": ")
    if colon and rest and part in words:
        # "Intuition: likelihood plus prior", "Example: two coins": a part of the page,
        # saying what it holds (round 36: a study guide's "Intuition: ..." was a concept)
        return True
    before, no, part = key.rpartition("の")
    if no and before.strip() and part.strip() in of_words:
        # "PTRM の手法" (PTRM's method), "本章のまとめ" (this chapter's summary): the part of a
        # page a Japanese heading names after "の" ("of"), as "Summary of ..." does (qa49)
        return True
    before, de, part = key.rpartition("\u7684")
    if de and before.strip() and part.strip() in _ZH_PARTS:
        # "Adagrad 的核心想法" (Adagrad's core idea), "BatchNorm 的 PyTorch 实现": the part of
        # a page a Chinese heading names after "的" ("of"), as "の" does in Japanese (round 50)
        return True
    if of_words is _GENERIC_HEADINGS and _zh_part(key):
        return True
    head, of, _ = key.partition(" of ")
    if of and head in of_words and not written.startswith(("a ", "an ")):
        # "An Analysis of Scale Invariance in Object Detection" is a paper's title, not a
        # part of a page (round 30: a paper note named by its file, "snip")
        return True
    # "Experiments/Results", "Experiments & Results": parts of a page joined; "Architecture
    # Comparison", "Datasets Comparison": a comparison of several things names none of them.
    parts = [p.strip() for p in _JOINED.split(key)]
    # "Basic Usage", "PyTorch Usage", "CLI Usage": how to call it, a part of its page (round
    # 37: a lecture set's six optimiser pages each had a concept "PyTorch Usage").
    return (len(parts) > 1 and all(p in words for p in parts)) \
        or (words is _GENERIC_HEADINGS and (key.endswith(" comparison")
                                            or (key.endswith(" usage") and key.count(" ") == 1
                                                and key.split()[0] not in _CONSUMED)))


def _zh_part(key: str) -> bool:
    """Whether a Chinese section heading names a part of its page (`_ZH_PARTS`): the part alone
    ("核心思想", core idea; "问题定义", problem statement), after its topic with a space and no
    "的" ("Differential Privacy 核心思想", "CKY 详细示例"), or before an English gloss ("速查 Quick
    Ref", "动机 Transliteration") (read56: qa55 counted about 15 such concepts in a master's
    notes, "问题定义", "核心思想", "动机与直觉", "易错点补充" among them)."""
    if key in _ZH_PARTS or key.partition("\uff1a")[0].strip() in _ZH_PARTS:
        return True  # ... or before its subject after a full-width colon ("动机\uff1aX")
    if " " not in key or not _HAN.search(key):
        return False
    before, _, last = key.rpartition(" ")
    first, _, after = key.partition(" ")
    return (bool(before.strip()) and last in _ZH_PARTS) \
        or (first in _ZH_PARTS and after.isascii() and bool(after.strip()))


_HAN = re.compile(r"[\u4e00-\u9fff]")
_QUALIFIED = re.compile(r"(.+?)\s*\([^()]{1,60}\)")
# What a Chinese heading names after "的" ("X 的 Y", X's Y) when it is a part of X's page: its
# core idea, limitations, problem, implementation, relation to or difference from another,
# advantages and drawbacks, formula, visualisation, cost, meaning, caveats, inputs and
# outputs, structure, objective, motivation, uses, improvements, role, principle, intuition,
# definition, example, summary, parameters (round 50, qa50: a bilingual Quarto book).
_ZH_PARTS = frozenset({
    "核心想法", "核心思想", "核心思路", "基本思想", "基本思路", "整体思路", "思路", "想法",
    "局限", "局限性", "问题", "实现", "pytorch 实现", "代码实现", "简单实现", "关系", "区别",
    "差异", "核心差异", "优点", "缺点", "优缺点", "优势", "公式", "数学形式", "数学表达",
    "可视化", "代价", "含义", "注意事项", "输入输出", "输入和输出", "结构", "基本结构",
    "网络结构", "训练目标", "目标", "设计动机", "动机", "适用场景", "应用场景", "适用场景与局限",
    "应用", "常见改进", "几类常见改进", "改进", "作用", "原理", "直觉", "直观理解", "定义",
    "例子", "示例", "总结", "小结", "参数", "可学习参数", "两个边界情况", "边界情况",
    # and as a section of its own or after its topic without "的" (read56): problem
    # statement, core problem, core challenge, motivation and intuition, pitfalls, supplement,
    # detailed example, quick reference, summary of the computation, introduction, overview
    "问题定义", "核心问题", "核心挑战", "动机与直觉", "易错点", "易错点补充", "补充",
    "详细示例", "速查", "速查表", "计算总结", "简介", "概述", "引言",
})
# How the page's topic connects to something else: "Connection to VLA", "Relation to
# k-means", and as a Korean writer heads it, "VLA 연결고리" (the link to VLA), "VLA와의 연결",
# "RNN과의 관계" (round 48: sixteen pages of a Korean wiki opened with "VLA 연결고리", two with
# "VLA와의 연결": 18 concepts of two names, in conflict in lint). A part of the page.
_CONNECTION = re.compile(r"(?:connections?|relations?|relationship|links?)\s+(?:to|with)\s+\S.*"
                         r"|\S.*?(?:\s연결고리|[와과]의\s*(?:연결(?:고리)?|관계))"
                         # and as a Japanese writer heads it: "X との関係" (relation to X),
                         # "との対応" (correspondence), "との比較", "との対比" (comparison),
                         # "との違い" (difference); round 49, qa49: a Quarto book's chapters
                         r"|\S.*?\s*との(?:関係|対応(?:関係)?|比較|対比|違い)")


# "Memory usage", "GPU usage", "Token usage": how much of a resource is used, a quantity a note
# is about, not how to call a tool (review37b).
_CONSUMED = frozenset({
    "memory", "gpu", "cpu", "tpu", "ram", "vram", "disk", "energy", "power", "token", "resource",
    "bandwidth", "compute", "storage", "network", "cache", "carbon"})


__all__ = [
    "MATH_ONLY",
    "SEE_ALSO_LINE",
    "WORD",
    "bare_name",
    "cites",
    "heading_key",
    "is_course_admin",
    "is_generic_heading",
    "is_generic_title",
    "is_page_part",
    "is_see_also_heading",
    "is_statement",
    "names_a_part",
    "names_no_concept",
    "names_nothing",
    "names_part_note",
    "no_page",
    "opens_note",
    "reads_as_part",
    "stem_title",
    "unescape_refs",
    "unnumbered",
]
