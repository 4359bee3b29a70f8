"""Set-up helpers run by the Makefile (vendoring npm files, offline NLTK data)."""
