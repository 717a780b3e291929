"""The extraction child process (see archive.ingest.sandbox). No Django here."""

import json
import sys

from archive.ingest.draft import ExtractionError


def main():
    fmt, filename = sys.argv[1], sys.argv[2]
    data = sys.stdin.buffer.read()
    try:
        from archive.ingest.extract import extract_bytes

        draft = extract_bytes(data, fmt=fmt, filename=filename)
        payload = {"draft": draft.to_dict()}
    except ExtractionError as error:
        payload = {"error": str(error)}
    except MemoryError:
        sys.stderr.write("MemoryError\n")
        sys.exit(3)
    except RecursionError:
        payload = {"error": f"{filename} is nested too deeply to read."}
    sys.stdout.write(json.dumps(payload))


if __name__ == "__main__":
    main()
