"""Backup and restore of the whole archive: `export_archive DIR` and `import_archive DIR`."""
