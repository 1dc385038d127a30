"""PDF writers: the official forms (``forms``) on shared text drawing (``text``)."""
