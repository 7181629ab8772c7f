"""Reads `daryn ingest --report` JSON and prints its accepted and rejected row counts."""

import json
import sys

report = json.load(open(sys.argv[1]))
tables = ("children", "measures", "achievements", "teachers")
accepted = sum(drop[table]["accepted"] for drop in report["drops"] for table in tables)
rejected = sum(drop[table]["rejected"] for drop in report["drops"] for table in tables)
statuses = sorted({drop["status"] for drop in report["drops"]})
print(json.dumps({"accepted": accepted, "rejected": rejected, "statuses": statuses}))
