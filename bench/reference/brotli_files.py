"""Compresses every .txt file in a folder into a .br file beside it and
removes the original: one Brotli snapshot per version, as page-change
monitors store them."""
import os
import sys

import brotli


def main():
    folder = sys.argv[1]
    for name in os.listdir(folder):
        if not name.endswith(".txt"):
            continue
        path = os.path.join(folder, name)
        with open(path, "rb") as f:
            data = f.read()
        with open(path[:-4] + ".br", "wb") as f:
            f.write(brotli.compress(data))
        os.remove(path)


if __name__ == "__main__":
    main()
