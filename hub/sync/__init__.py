"""The reconciliation engine: desired state, actual state, diff, plan, apply, report."""
