"""What organisations announce, for the apps above them to hear (they never import
those apps: tests/architecture/test_layers.py). The audit trail records each."""

from django.dispatch import Signal

# An organisation admin applied a staff import: `member` (who applied it), `job`.
# Sent inside the apply's transaction, so what hears it commits or rolls back with it.
staff_imported = Signal()
