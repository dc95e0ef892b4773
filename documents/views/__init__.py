"""The pages of the documents app: `library` and `drafts`; `urls.py` maps them."""
