#!/usr/bin/env python3
"""Build-time tool: write a file's bytes as a C array, for programs nsrun
carries inside itself (the exec shim).

    embed-bytes.py SYMBOL INPUT OUTPUT.c

OUTPUT.c defines `const unsigned char SYMBOL[]` and `const unsigned long
SYMBOL_size`."""
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: embed-bytes.py SYMBOL INPUT OUTPUT.c")
    symbol, source, output = sys.argv[1:]
    with open(source, "rb") as f:
        data = f.read()
    rows = []
    for i in range(0, len(data), 12):
        rows.append("\t" + " ".join("0x%02x," % b for b in data[i:i + 12]))
    with open(output, "w") as f:
        f.write("/* Generated from %s by tools/embed-bytes.py. */\n" % source.split("/")[-1])
        f.write("const unsigned char %s[] = {\n%s\n};\n" % (symbol, "\n".join(rows)))
        f.write("const unsigned long %s_size = sizeof(%s);\n" % (symbol, symbol))


if __name__ == "__main__":
    main()
