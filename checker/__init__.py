"""draftcheck: check a draft negotiated text against every delegation's demands, with evidence."""

from __future__ import annotations

__version__ = "0.1.0"
