"""Reading files into the register's shape: month packages and hand-made official-layout workbooks.

Nothing here writes to the database; ``app.services.imports`` previews and applies. Problems of
the files themselves are findings with these import codes (the rule codes of forms.md cover the
data they hold):

- ``I-01`` E the file cannot be read: not a workbook or package, encrypted or old .xls, damaged.
- ``I-02`` E over the limits (size, uncompressed size, entries, compression ratio, rows, columns).
- ``I-03`` E a sheet of 附件1–4 without the expected headers, or no such sheet at all.
- ``I-04`` W a column that is not part of the form: reported and ignored.
- ``I-05`` E a row whose unit (县/乡镇/村) cannot be determined.
- ``I-06`` E a package whose manifest, checksums or register.json do not hold.
- ``I-07`` E a unit and period already in the database with different data (needs ``--replace``).
- ``I-08`` E the month is locked (exported as final); reopen it first.
- ``I-09`` E the same village (and band) comes from two files of one import.
- ``I-10`` E a field of a record (register.json, the manifest, a sheet's cells) of the wrong type or
  an impossible value: not a number, not finite, beyond sane bounds, not a real date, text too long,
  a list or object where a value belongs (``app.importers.schema``); also a value in the hidden ``guatu``
  sheet of an exported workbook that guatu would not write (``app.importers.hidden_sheet``).
- ``I-11`` E the same UUID twice in a package or in what a workbook states (households, persons, projects).
- ``I-12`` E a file name that points outside the package or the zip: an absolute path, ``..``, a
  drive letter, a UNC name (two backslashes, host, share), a symlink leading out.
- ``I-13`` W a printed cell of an exported workbook was edited after the export: the printed value wins.
"""
