"""Input parsers: files in, raw records out (no validation, no database).

- :mod:`loaders.files`: CSV, JSON, JSONL and YAML files of the knowledge base's own kinds.
- :mod:`loaders.opensanctions`: the OpenSanctions ban-list CSV (e.g. the U.S. DoD 1260H list).
"""
