"""The forms of the documents app: `library` and `drafts`."""
