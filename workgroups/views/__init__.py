"""The pages of the workgroups app, one module per feature; `urls.py` maps them."""
