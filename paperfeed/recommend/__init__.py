"""Personal recommendations learned from a reader's library, votes and dismissals."""
