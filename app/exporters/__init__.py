"""Writers of what leaves the office: forms as .xlsx and PDF, the month package, register.json, wall charts, cards."""
