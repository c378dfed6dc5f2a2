"""Developer tools that are not part of the app: pinned-bug checks and mutation testing."""
