"""The Functions app: composition only.

One DFApp (function-level auth by default); every function lives in a blueprint:
orchestrators, activities, starters, the runs page (ui/). Nothing here reads settings or
touches the network at import: functions load their settings when they run (shared/settings.py).
"""

import azure.durable_functions as df
import azure.functions as func

from activities import BLUEPRINTS as ACTIVITY_BLUEPRINTS
from orchestrators import finetune, monitor
from starters import blob_starter, http_api, run_views
from ui import page

app = df.DFApp(http_auth_level=func.AuthLevel.FUNCTION)

for blueprint in (finetune.bp, monitor.bp, *ACTIVITY_BLUEPRINTS, blob_starter.bp, http_api.bp, run_views.bp,
                  page.bp):
    app.register_functions(blueprint)
