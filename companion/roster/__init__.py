"""The roster's per-patient summary row: ranking facts kept by the writing services in their own transaction."""
