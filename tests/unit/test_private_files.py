"""Files holding personal data are readable by their owner only: the rotated log too."""

from __future__ import annotations

import logging
import os

import pytest

from crmdesk.errors import setup_logging

pytestmark = pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")


def test_every_log_file_is_private_after_rotation(tmp_path):
    old_mask = os.umask(0o022)
    try:
        path = setup_logging(tmp_path / "logs")
        log = logging.getLogger("crmdesk.test")
        for _ in range(3000):  # past 1 MB: rotates
            log.info("customer Anna Berg, 07400 123456, %s", "x" * 400)
    finally:
        os.umask(old_mask)
        for handler in [h for h in logging.getLogger().handlers if getattr(h, "crmdesk", False)]:
            logging.getLogger().removeHandler(handler)
            handler.close()
    files = sorted(path.parent.iterdir())
    assert path.with_name(path.name + ".1") in files
    assert {f.name: f.stat().st_mode & 0o777 for f in files} == {f.name: 0o600 for f in files}
