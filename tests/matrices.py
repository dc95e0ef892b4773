"""The capabilities' access-matrix modules: each holds its `ROWS` and the `content(world)` they need."""

from . import (
    matrix_chat,
    matrix_documents,
    matrix_drafts,
    matrix_events,
    matrix_passkeys,
    matrix_questionnaires,
    matrix_sessions,
)

CAPABILITY_MATRICES = (matrix_documents, matrix_drafts, matrix_chat, matrix_events, matrix_questionnaires,
                       matrix_sessions, matrix_passkeys)
