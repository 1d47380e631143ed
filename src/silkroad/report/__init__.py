"""Briefs: the document about one relationship, in HTML, PDF, Excel and Markdown, en and ru.

Start with :func:`silkroad.report.brief.brief`; see docs/brief.md.
"""
