"""Signals of the catalog, for the apps above it (papers imports none of them).

`papers_stored` is sent by papers_upsert_batch inside its transaction, once a batch is written,
with `created` (the ids of new papers), `changed` (id → the names of the fields that changed,
for the papers that were updated) and `links` (id → the links found in a new paper's text,
lib.links.Link). A receiver's writes commit or roll back with the batch.
"""

from __future__ import annotations

from django.dispatch import Signal

papers_stored = Signal()
