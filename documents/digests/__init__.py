"""What the documents app adds to digests: new documents and versions, drafts and notes."""
