# Reads a Prometheus text exposition on stdin and prints its metric families as JSON, using the
# Prometheus project's own Python parser (Debian package python3-prometheus-client).
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

families = []
for family in text_string_to_metric_families(sys.stdin.read()):
    families.append({
        "name": family.name,
        "type": family.type,
        "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples],
    })
json.dump(families, sys.stdout)
