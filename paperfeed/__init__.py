"""paperfeed: a self-hostable service for discovering research papers."""

__version__ = "0.1.0"
