from pathlib import Path

import pytest

from scamtrace.errors import InvalidDataFile, InvalidInput
from scamtrace.simulate.config import SCALES, load_config


def test_scales_set_sizes_and_days_override():
    small = load_config(scale="small", seed=3)
    assert (small.persons, small.days, small.seed) == (100_000, 14, 3)
    assert load_config(scale="small", days=2).days == 2
    assert set(SCALES) == {"tiny", "small", "medium", "large"}


def test_yaml_and_toml_override_any_field(tmp_path: Path):
    yaml_file = tmp_path / "w.yaml"
    yaml_file.write_text("persons: 1200\ngangs: 4\nlayers: [3, 3]\n")
    toml_file = tmp_path / "w.toml"
    toml_file.write_text("persons = 1300\nconversion_call = 0.5\n")
    from_yaml = load_config(config_file=yaml_file)
    assert (from_yaml.persons, from_yaml.gangs, from_yaml.layers) == (1200, 4, (3, 3))
    from_toml = load_config(config_file=toml_file)
    assert (from_toml.persons, from_toml.conversion_call) == (1300, 0.5)
    assert from_yaml.fingerprint() != from_toml.fingerprint()


def test_bad_options_are_user_errors(tmp_path: Path):
    with pytest.raises(InvalidInput, match="unknown scale 'huge'"):
        load_config(scale="huge")
    with pytest.raises(InvalidInput, match="days"):
        load_config(days=0)
    reversed_range = tmp_path / "reversed.yaml"
    reversed_range.write_text("layers: [4, 2]\n")
    with pytest.raises(InvalidInput, match="layers must be"):
        load_config(config_file=reversed_range)
    typo = tmp_path / "typo.yaml"
    typo.write_text("gangz: 3\n")
    with pytest.raises(InvalidInput, match="gangz"):
        load_config(config_file=typo)
    broken = tmp_path / "broken.toml"
    broken.write_text("persons = = 3\n")
    with pytest.raises(InvalidDataFile, match="cannot parse"):
        load_config(config_file=broken)
    with pytest.raises(InvalidDataFile, match="not found"):
        load_config(config_file=tmp_path / "missing.yaml")
