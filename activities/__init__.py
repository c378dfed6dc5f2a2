"""The activity blueprints, one module per concern; function_app.py registers each ``bp``."""

from activities import dataset, deployment, files, jobs, methods, report

BLUEPRINTS = (dataset.bp, files.bp, jobs.bp, deployment.bp, report.bp, methods.bp)
