"""The clerk's desktop window (PySide6). Only this package imports Qt; it calls services for data."""
