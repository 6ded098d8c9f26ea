"""Validates FHIR R4 Questionnaires with the fhir.resources R4 models (tests/interop/run.sh).

    python validate.py FILE.json...

Each file must parse as a Questionnaire of FHIR 4.0.1, and meet the R4 rules the models do not
check themselves: the status and item type value sets, unique linkIds (que-2), groups with items and display items without (que-1),
answerOption only on choice items (que-5), a computable `name` (que-0). Prints one line per file
and exits 1 if any fails.
"""

import json
import re
import sys

import fhir.resources
from fhir.resources.questionnaire import Questionnaire

if fhir.resources.__fhir_version__ != "4.0.1":
    sys.exit(f"fhir.resources {fhir.resources.__version__} models FHIR "
             f"{fhir.resources.__fhir_version__}, not R4 (4.0.1): pin 6.1.0")


# The value sets the R4 models do not enforce: publication status and item type.
STATUS = {"draft", "active", "retired", "unknown"}
ITEM_TYPES = {"group", "display", "boolean", "decimal", "integer", "date", "dateTime", "time",
              "string", "text", "url", "choice", "open-choice", "attachment", "reference",
              "quantity"}


def invariants(questionnaire):
    problems = []
    if questionnaire.status not in STATUS:
        problems.append(f"status {questionnaire.status!r} is not an R4 publication status")
    if questionnaire.name and not re.fullmatch(r"[A-Z]([A-Za-z0-9_]){0,254}", questionnaire.name):
        problems.append(f"que-0: name {questionnaire.name!r} is not computable")
    seen = set()
    stack = list(questionnaire.item or [])
    while stack:
        item = stack.pop()
        if item.linkId in seen:
            problems.append(f"que-2: linkId {item.linkId!r} is not unique")
        seen.add(item.linkId)
        children = item.item or []
        if item.type not in ITEM_TYPES:
            problems.append(f"{item.linkId!r} has type {item.type!r}, not an R4 item type")
        if item.type == "group" and not children:
            problems.append(f"que-1: group {item.linkId!r} has no items")
        if item.type == "display" and children:
            problems.append(f"que-1: display item {item.linkId!r} has items")
        if item.answerOption and item.type not in ("choice", "open-choice"):
            problems.append(f"que-5: {item.linkId!r} has answerOption but is a {item.type}")
        if item.type != "display" and not item.text:
            problems.append(f"{item.linkId!r} has no text to show")
        stack.extend(children)
    return problems


def main(paths):
    failed = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as file:
                data = json.load(file)
            questionnaire = Questionnaire.parse_obj(data)
            problems = invariants(questionnaire)
        except Exception as error:  # a validation error names the element
            problems = [str(error)]
        if problems:
            failed += 1
            print(f"FAIL {path}")
            for problem in problems:
                print(f"  {problem}")
        else:
            print(f"ok   {path}")
    print(f"{len(paths) - failed} of {len(paths)} valid FHIR R4 Questionnaires "
          f"(fhir.resources {fhir.resources.__version__}, FHIR {fhir.resources.__fhir_version__})")
    return 1 if failed or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
