"""The decision aid (IPDAS v4): options side by side with icon arrays, a values exercise and a visit summary."""
