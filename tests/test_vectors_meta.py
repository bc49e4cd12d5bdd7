"""Every vector file under tests/vectors is well-formed.

- It names its schema (`schema`, a file in tests/vectors/schemas/) and validates against it
  (JSON Schema draft 2020-12). A file whose schema does not exist yet is skipped.
- `numberOfTests` equals the number of tests, and tcIds are unique within the file.
- Every flag used by a test is explained in `notes`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from jsonschema import Draft202012Validator

VECTORS = Path(__file__).resolve().parent / "vectors"
SCHEMAS = VECTORS / "schemas"

VECTOR_FILES = sorted(p for p in VECTORS.rglob("*.json") if SCHEMAS not in p.parents)
SCHEMA_FILES = sorted(SCHEMAS.glob("*.json"))


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _tests(doc: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [t for group in doc.get("testGroups", []) for t in group.get("tests", [])]


def _rel(path: Path) -> str:
    return str(path.relative_to(VECTORS))


def test_signing_vectors_present() -> None:
    names = {_rel(p) for p in VECTOR_FILES}
    assert {"signing/tc3_hmac_sha256.json", "signing/acs3_hmac_sha256.json"} <= names


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=[p.name for p in SCHEMA_FILES])
def test_schema_is_valid_draft_2020_12(path: Path) -> None:
    schema = _load(path)
    assert schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema.get("additionalProperties") is False


@pytest.mark.parametrize("path", VECTOR_FILES, ids=[_rel(p) for p in VECTOR_FILES])
def test_vector_file(path: Path) -> None:
    doc = _load(path)
    assert isinstance(doc, dict) and isinstance(doc.get("schema"), str), \
        f"{_rel(path)}: every vector file names its schema in a top-level `schema` key"
    schema_path = SCHEMAS / doc["schema"]
    if not schema_path.is_file():
        pytest.skip(f"schema {doc['schema']} does not exist yet")

    validator = Draft202012Validator(_load(schema_path))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:20])

    tests = _tests(doc)
    assert doc["numberOfTests"] == len(tests)
    ids = [t["tcId"] for t in tests]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate tcIds: {duplicates}"

    notes = doc.get("notes", {})
    for t in tests:
        missing = set(t.get("flags", [])) - set(notes)
        assert not missing, f"tcId {t['tcId']}: flags without a note: {sorted(missing)}"
