"""Locations travel from scan workers by pickle, as their field values."""

from __future__ import annotations

import pickle

from dockward.models.location import Location


def test_a_location_survives_pickle_with_every_field() -> None:
    loc = Location(file="a/compose.yml", line=3, column=7, path="services.web", subject="s",
                   end_line=5, via="$OPTS set at line 2")
    back = pickle.loads(pickle.dumps(loc))
    assert back == loc
    assert (back.file, back.line, back.column, back.path, back.subject, back.end_line,
            back.via) == ("a/compose.yml", 3, 7, "services.web", "s", 5, "$OPTS set at line 2")
    assert pickle.loads(pickle.dumps(Location())) == Location()
