import csv
import io
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "schools" / "data"
SAMPLE = DATA / "directorio_muestra_2025.csv"
FULL = DATA / "directorio_oficial_ee_2025.csv"


def read_sample():
    """The sample's header and rows, as lists of strings."""
    with open(SAMPLE, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    return rows[0], rows[1:]


def write_directory(path, header, rows, *, encoding="utf-8-sig", newline="\r\n"):
    """Write rows the way MINEDUC does (';', no quoting)."""
    text = newline.join(";".join(row) for row in [header, *rows]) + newline
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def sample_rows():
    return read_sample()


@pytest.fixture
def directory_file(tmp_path):
    """Make a directory CSV from a header and rows: directory_file(header, rows)."""
    counter = iter(range(1000))

    def make(header, rows, **kwargs):
        return write_directory(tmp_path / f"directorio_{next(counter)}.csv", header, rows, **kwargs)

    return make


def set_value(header, row, column, value):
    row = list(row)
    row[header.index(column)] = value
    return row


def as_upload(path):
    return io.BytesIO(path.read_bytes())
