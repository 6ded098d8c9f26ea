"""Writes COUNT FHIR R4 Questionnaires varied from the real ones in a folder (benches/interop-1k.sh).

    python3 gen_questionnaires.py SOURCE_DIR OUT_DIR COUNT

Each is one of the sources with a new title and linkIds, its top-level items rotated, some
repeated, every other one wrapped in a group of its own, and long answer lists cut. Seeded, so
the same COUNT gives the same files.
"""

import copy
import json
import pathlib
import random
import sys


def relink(items, suffix):
    for item in items:
        item["linkId"] = f"{item['linkId']}{suffix}"
        for condition in item.get("enableWhen", []):
            condition["question"] = f"{condition['question']}{suffix}"
        relink(item.get("item", []), suffix)


def vary(source, n, rng):
    q = copy.deepcopy(source)
    q["title"] = f"{q.get('title', 'Questionnaire')} variant {n}"
    items = q.get("item", [])
    if items:
        turn = rng.randrange(len(items))
        items = items[turn:] + items[:turn]
        items += [copy.deepcopy(rng.choice(items)) for _ in range(rng.randrange(3))]
    for at, item in enumerate(items):
        relink([item], f"-{n}-{at}")
        options = item.get("answerOption")
        if options and len(options) > 6 and rng.random() < 0.5:
            item["answerOption"] = options[: rng.randrange(2, 7)]
    if rng.random() < 0.5:
        items = [
            {"linkId": f"wrap-{n}-{at}", "text": f"Part {at + 1}", "type": "group", "item": [item]}
            if item.get("type") != "group" and at % 2 else item
            for at, item in enumerate(items)
        ]
    q["item"] = items
    return q


def main(source_dir, out_dir, count):
    sources = [json.loads(path.read_text(encoding="utf-8"))
               for path in sorted(pathlib.Path(source_dir).glob("*.json"))]
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(13)
    for n in range(count):
        q = vary(sources[n % len(sources)], n, rng)
        (out / f"q{n:05}.json").write_text(json.dumps(q, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
