"""The shared kernel: value types, derivations, codecs and view-models every layer may use.

It sits at the bottom with ``app.domain`` (closed lists) and ``app.forms`` (form layouts and the
filled form table): nothing here imports the models, storage, rules, importers, exporters,
services or the interface (pyproject.toml ``[tool.importlinter]``).
"""
