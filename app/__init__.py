"""guatu: 挂图作战 desk."""

__version__ = "0.1.0"
