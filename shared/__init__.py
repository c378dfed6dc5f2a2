"""The fine-tuning app's own Python package: settings, clients, validation, helpers.

Everything here is plain Python that takes its clients as parameters, so it can
be tested alone; the Functions layer (activities, orchestrators, starters) is a
thin adapter over it.
"""
