"""PDF writers: the official forms (``forms``) on shared text drawing (``text``); ``drawing`` has the
canvas helpers the wall chart and the 明白卡 share."""
