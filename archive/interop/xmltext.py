"""Text that is safe inside XML 1.0, whatever the database holds."""

import re

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def xml_text(value):
    """`value` as a string with the characters XML 1.0 forbids removed."""
    return _NOT_XML.sub("", "" if value is None else str(value))
