"""Operations: backup and restore, metrics."""
