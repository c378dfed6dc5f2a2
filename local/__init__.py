"""Everything that runs the app on one machine without Azure.

``local.aoai`` is the Azure OpenAI + ARM + Entra ID emulator, ``local.host`` the
local Functions + Durable host, ``local.azurite`` starts the pinned Azurite, and
``python -m local <command>`` is the command line over all of them.
"""
