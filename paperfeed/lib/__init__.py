"""Pure-Python parsers and clients for paper sources. Nothing here imports Django."""
