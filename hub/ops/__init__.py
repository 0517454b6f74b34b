"""Operations: metrics for Prometheus (and, later, the sync dashboard)."""
