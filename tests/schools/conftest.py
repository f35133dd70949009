import io

import pytest

from schools.demo import directory_rows, encode_directory

# The generated directory (schools.demo): the demo's, in the official layout.
HEADER, ROWS, SOSTENEDOR_NAMES = directory_rows()
N = len(ROWS)


def write_directory(path, header, rows, *, encoding="utf-8-sig", newline="\r\n"):
    """Write rows the way MINEDUC does (';', no quoting)."""
    path.write_bytes(encode_directory(header, rows, encoding=encoding, newline=newline))
    return path


@pytest.fixture
def sample_rows():
    """The generated directory's header and rows, as lists of strings."""
    return list(HEADER), [list(row) for row in ROWS]


@pytest.fixture
def generated(tmp_path):
    """The generated directory as a file, exactly as the demo imports it."""
    return write_directory(tmp_path / "directorio_generado.csv", HEADER, ROWS)


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


def value(header, row, column):
    return row[header.index(column)]


def as_upload(path):
    return io.BytesIO(path.read_bytes())
