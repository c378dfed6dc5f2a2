"""Unit tests of shared/evaluation."""
