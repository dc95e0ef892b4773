"""Every write of the documents app.

`library`: documents, versions, translations, the archive; `drafts`: co-drafting and the final note.
"""
