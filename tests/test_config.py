"""Config: one frozen settings object, read from TOML with errors that name the key and the fix."""

from __future__ import annotations

import dataclasses

import pytest

from toolkit.config import Config
from toolkit.errors import InputFileError, OptionError


def test_defaults_and_frozen():
    cfg = Config()
    assert cfg.min_cell == 5 and cfg.lang == "en" and cfg.outcomes is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.min_cell = 3  # type: ignore[misc]


def test_toml_sets_any_setting(tmp_path):
    path = tmp_path / "report.toml"
    path.write_text('outcomes = ["needs_help"]\ngroups = ["district"]\nmin_cell = 10\nlang = "da"\n'
                    "conf_level = 0.9\n", encoding="utf-8")
    cfg = Config.from_toml(path)
    assert (cfg.outcomes, cfg.groups, cfg.min_cell, cfg.lang, cfg.conf_level) == (
        ("needs_help",), ("district",), 10, "da", 0.9)


@pytest.mark.parametrize("text, message", [
    ("colour = 'red'\n", r"report.toml: unknown setting\(s\) colour; known: outcomes, groups"),
    ("min_cell = '5'\n", "min_cell = '5' must be an integer"),
    ("min_cell = true\n", "min_cell = True must be an integer"),
    ("groups = 'district'\n", "groups = 'district' must be a list of names"),
    ("conf_level = 95\n", "conf_level must be between 0 and 1"),
    ("lang = = 'x'\n", "not valid TOML"),
])
def test_bad_settings_name_the_key_value_and_fix(tmp_path, text, message):
    path = tmp_path / "report.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OptionError, match=message):
        Config.from_toml(path)


def test_a_missing_config_file_is_an_input_file_error(tmp_path):
    with pytest.raises(InputFileError, match="cannot read the config file"):
        Config.from_toml(tmp_path / "nope.toml")


def test_replace_checks_like_from_mapping():
    assert Config().replace(min_cell=0).min_cell == 0
    with pytest.raises(OptionError, match="unknown setting"):
        Config().replace(colour="red")
