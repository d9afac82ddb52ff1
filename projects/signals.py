"""What projects tells the capabilities above it, without importing them.

Sent from projects/services.py inside the service's transaction, so a receiver's rows
are written with the change or not at all.
"""

from django.dispatch import Signal

# A project moved to another stage: `project=`, `from_stage=`, `to_stage=`.
project_stage_changed = Signal()
