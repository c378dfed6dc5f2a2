"""Unit tests of shared/graders."""
