"""Write every sample export of the corpus to a folder: ``python tests/surveys/import_corpus DIR``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from import_corpus import cases

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/surveys/import_corpus DIR")
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    for case in cases():
        (folder / case.name).write_bytes(case.build())
        print(folder / case.name)
