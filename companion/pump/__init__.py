"""Intrathecal pump logic: refill arithmetic, dose checks and reminder timing (pure)."""
