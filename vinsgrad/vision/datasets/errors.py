"""The two ways getting a dataset can fail: the files are not usable, or no mirror delivered them."""

from __future__ import annotations


class DatasetError(Exception):
    """A dataset file is missing, corrupt, truncated or fails its checksum; the message names the file."""


class DownloadError(DatasetError):
    """Every mirror failed; the message lists each one and why, and how to use a local copy instead."""
