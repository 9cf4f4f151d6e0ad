"""Reading delimited text: the encoding guess is checked by the parser."""

from toolkit import _csv


def test_the_encoding_guessed_from_the_first_megabyte_is_checked_by_the_parser(tmp_path):
    rows = "respondent_id,comment\n" + "".join(f"r{i},plain text {i}\n" for i in range(60_000))
    path = tmp_path / "late.csv"
    path.write_bytes(rows.encode() + "r_last,K\xf8benhavn caf\xe9\n".encode("cp1252"))  # past the first MB
    assert path.stat().st_size > _csv.ENCODING_PREFIX
    frame, info = _csv.read_csv(path, None, None)
    assert info["encoding"] == "cp1252" and frame["comment"].iloc[-1] == "København café"
