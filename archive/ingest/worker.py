"""The extraction child process (see archive.ingest.sandbox). No Django here.

python -m archive.ingest.worker extract FORMAT NAME    file on stdin, {"draft": ...} on stdout
python -m archive.ingest.worker page NAME N WIDTH      PDF on stdin, page N as PNG on stdout
"""

import json
import sys

from archive.ingest.draft import ExtractionError


def extract(fmt, filename):
    data = sys.stdin.buffer.read()
    try:
        from archive.ingest.extract import extract_bytes
        from archive.ingest.preview import original_text

        draft = extract_bytes(data, fmt=fmt, filename=filename)
        payload = {"draft": draft.to_dict(), "original_text": original_text(data, fmt=fmt, filename=filename)}
    except ExtractionError as error:
        payload = {"error": str(error)}
    except MemoryError:
        sys.stderr.write("MemoryError\n")
        sys.exit(3)
    except RecursionError:
        payload = {"error": f"{filename} is nested too deeply to read."}
    sys.stdout.write(json.dumps(payload))


def page(filename, number, width):
    data = sys.stdin.buffer.read()
    from archive.ingest.preview import render_pdf_page

    try:
        png = render_pdf_page(data, filename=filename, number=int(number), width=int(width))
    except ExtractionError as error:
        sys.stderr.write(f"error {error}\n")
        sys.exit(4)
    sys.stdout.buffer.write(png)


def main():
    if sys.argv[1] == "page":
        page(*sys.argv[2:5])
    elif sys.argv[1] == "extract":
        extract(sys.argv[2], sys.argv[3])
    else:
        extract(sys.argv[1], sys.argv[2])  # FORMAT NAME, as before


if __name__ == "__main__":
    main()
