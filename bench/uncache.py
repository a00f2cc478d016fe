#!/usr/bin/env python3
"""Drop files from the page cache, so that their next use reads them from
disk as it would after a reboot.

    bench/uncache.py FILE...

Why (bench/README.md, "Results at ..."): how a program file sits in the
page cache changes how fast it starts. A file just written by cp is cached
in large folios, one read back from disk (or written by the linker) in
4 KiB pages, and on a virtual machine nsrun started 0.3 ms faster from the
first kind. Two builds compared must be cached alike: copy both, then drop
both.
"""
import os
import sys

if len(sys.argv) < 2:
    sys.exit("usage: bench/uncache.py FILE...")
for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)  # dirty pages would stay
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
