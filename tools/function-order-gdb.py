"""gdb script of tools/function-order.sh: runs one nsrun command under gdb
with a breakpoint on every function of the program, in the first process
and every process it forks (NSRUN_ORDER_PARENT_ONLY=1: the first only), and
appends each function's names to the list
the first time any of them reaches it.

    NSRUN_ORDER_SYMBOLS=SYMS NSRUN_ORDER_OUT=LIST NSRUN_ORDER_ENTRY=ADDR \
        gdb -q -batch -x tools/function-order-gdb.py --args nsrun ARG...

SYMS has one function a line, "ADDRESS NAME..." (hexadecimal, relative to
the program's load address, every name the address has); ADDR is the entry
point's address in the file. LIST gets names, one a line, in the order they
ran. A breakpoint does not stop the program (stop() says no), so it runs
on, slowly, through to the command: when the stage executes the exec shim
gdb loses the process, which is as far as nsrun goes.
"""
import os

import gdb


def load_symbols(path):
    by_address = {}
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 2:
                by_address[int(fields[0], 16)] = fields[1:]
    return by_address


symbols = load_symbols(os.environ["NSRUN_ORDER_SYMBOLS"])
entry = int(os.environ["NSRUN_ORDER_ENTRY"], 16)
out = open(os.environ["NSRUN_ORDER_OUT"], "a")
reached = set()


class FirstCall(gdb.Breakpoint):
    def __init__(self, address, names):
        super().__init__("*0x%x" % address, internal=True)
        self.names = names

    def stop(self):
        if self.number not in reached:
            reached.add(self.number)
            out.write("".join(name + "\n" for name in self.names))
            out.flush()
        return False


# NSRUN_ORDER_PARENT_ONLY=1: children run on untraced (a container that
# outlives the command: gdb would kill it on leaving).
children = "on" if os.environ.get("NSRUN_ORDER_PARENT_ONLY") == "1" else "off"
for setting in ("pagination off", "breakpoint pending on", "detach-on-fork " + children,
                "follow-fork-mode parent", "schedule-multiple on",
                "print inferior-events off", "startup-with-shell off"):
    gdb.execute("set " + setting)
gdb.execute("starti")
base = int(gdb.parse_and_eval("$pc")) - entry
# Stopped on the entry point already: its breakpoint would not fire.
if not os.path.getsize(out.name) and entry in symbols:
    out.write("".join(name + "\n" for name in symbols[entry]))
for address, names in symbols.items():
    try:
        FirstCall(base + address, names)
    except gdb.error:
        pass
try:
    gdb.execute("continue")
except gdb.error:
    pass  # the exec shim's image, which gdb cannot read
