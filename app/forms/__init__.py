"""The official forms described once: header trees, columns, titles, 填报说明 (forms.md §1–§4).

Exporters (xlsx, pdf) and importers both read these descriptions.
"""
