"""The clinic quality report: response times, adherence, alert rate and review timeliness, as aggregates only."""
