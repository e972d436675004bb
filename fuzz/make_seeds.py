#!/usr/bin/env python3
"""Builds the seed corpora of the x509, nrbf and clixml fuzzers in fuzz/work/.

  fuzz/make_seeds.py [--fixtures tests/fixtures/css-exchange]

Seeds, deduplicated by content (file name = SHA-1 of the content):
  fuzz/work/seeds/x509    the committed fuzz/corpus/x509 (certificates made
                          with openssl: RSA, ECDSA P-256/384/521, v1, CA,
                          many names, UTF-8 names, PEM chains, PKCS#7), plus
                          every RawData certificate in the CliXml fixtures
  fuzz/work/seeds/nrbf    every SerializationData blob in the fixtures (MS-NRBF,
                          most in the "#sig#" framing), plus fuzz/corpus/nrbf
  fuzz/work/seeds/clixml  the fixture files themselves (Export-Clixml output of
                          Get-ExchangeCertificate, Get-AuthConfig, connectors,
                          web bindings, ...), plus fuzz/corpus/clixml
The fixtures (CSS-Exchange test data, MIT licence) are read from
tests/fixtures/css-exchange (its README says where they come from).
"""
import argparse
import base64
import hashlib
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
BA = re.compile(rb'<BA N="(RawData|SerializationData)"[^>]*>([^<]*)</BA>')


def put(folder: pathlib.Path, data: bytes) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / hashlib.sha1(data).hexdigest()
    if path.exists():
        return False
    path.write_bytes(data)
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixtures", default=str(HERE.parent / "tests" / "fixtures" / "css-exchange"))
    ap.add_argument("--out", default=str(HERE / "work" / "seeds"))
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    counts = {"x509": 0, "nrbf": 0, "clixml": 0}
    for kind in counts:
        committed = HERE / "corpus" / kind
        if committed.is_dir():
            for f in sorted(committed.iterdir()):
                if f.is_file():
                    counts[kind] += put(out / kind, f.read_bytes())
    fixtures = pathlib.Path(args.fixtures)
    if not fixtures.is_dir():
        print(f"make_seeds: {fixtures} not found; only the committed seeds", file=sys.stderr)
    else:
        for xml in sorted(fixtures.rglob("*.xml")):
            text = xml.read_bytes()
            counts["clixml"] += put(out / "clixml", text)
            for name, b64 in BA.findall(text):
                try:
                    blob = base64.b64decode(b"".join(b64.split()), validate=True)
                except ValueError:
                    continue
                kind = "x509" if name == b"RawData" else "nrbf"
                counts[kind] += put(out / kind, blob)
    for kind, n in counts.items():
        print(f"{out / kind}: {n} new seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
