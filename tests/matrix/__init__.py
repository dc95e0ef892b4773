"""The role × URL access matrix: every URL of the platform × every role → the exact status.

`core` holds the `Row` type, the helpers that spell a row's expected statuses and the rows of accounts and
workgroups; each capability keeps its rows beside the fixture content they need (`chat`, `documents`,
`drafts`, `events`, `passkeys`, `questionnaires`, `sessions`: each a `ROWS` list and a `content(world)`).
`test_http` runs every row as every role and walks the URL resolver so that no URL can skip the matrix.
"""

from . import chat, core, documents, drafts, events, passkeys, questionnaires, sessions

CAPABILITY_MATRICES = (documents, drafts, chat, events, questionnaires, sessions, passkeys)

ROWS = [*core.ROWS, *(row for matrix in CAPABILITY_MATRICES for row in matrix.ROWS)]

PLATFORM_NAMESPACES = {"accounts", "workgroups", "documents", "chat", "events"}
