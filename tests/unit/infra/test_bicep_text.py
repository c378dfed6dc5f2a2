"""The small Bicep reader the infra tests rely on reads what our templates contain."""

from __future__ import annotations

import pytest

from tests.unit.infra.bicep_text import object_block, object_keys, outputs, string_var, strip_comments

pytestmark = pytest.mark.unit

SAMPLE = """
var name = 'func' // the app
var settings = {
  // storage
  A__uri: 'https://acct.blob.core.windows.net' // not part of the value
  'quoted-key': 'it\\'s // kept'
  NESTED: {
    inner: 1
  }
  LIST: [
    'x'
  ]
  LAST: identity.outputs.clientId
}
output NAME string = name
var extra = enabled ? {
  ONLY_WHEN_ENABLED: 'yes'
} : {}
"""


def test_comments_go_but_slashes_inside_strings_stay():
    code = strip_comments(SAMPLE)
    assert "'https://acct.blob.core.windows.net'" in code
    assert "not part of the value" not in code and "the app" not in code
    assert "'it\\'s // kept'" in code


def test_object_keys_are_the_top_level_keys_with_their_values():
    keys = object_keys(object_block(SAMPLE, "settings"))
    assert list(keys) == ["A__uri", "quoted-key", "NESTED", "LIST", "LAST"]
    assert keys["A__uri"] == "'https://acct.blob.core.windows.net'"
    assert keys["LAST"] == "identity.outputs.clientId"


def test_a_conditional_object_is_read_as_its_object():
    assert object_keys(object_block(SAMPLE, "extra")) == {"ONLY_WHEN_ENABLED": "'yes'"}


def test_string_vars_and_outputs():
    assert string_var(SAMPLE, "name") == "func"
    assert outputs(SAMPLE) == {"NAME": "name"}
    with pytest.raises(AssertionError):
        object_block(SAMPLE, "missing")
