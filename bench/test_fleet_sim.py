#!/usr/bin/env python3
"""bench/fleet_sim answers like the decision code it drives (ctest `bench_fleet_sim`, label unit).

  test_fleet_sim.py FLEET_SIM"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

SIM = sys.argv[1]
TMP = Path(tempfile.mkdtemp(prefix="fleet-sim-test-"))


def window(hosts, start, seconds, *streams):
    out = TMP / "w.json"
    subprocess.run([SIM, "window", str(hosts), "*/1 * * * *", start, str(seconds), str(out), *streams], check=True)
    return json.loads(out.read_text())


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)


# Both days' streams exist (a fleet that ran the day before): the midnight costs no create.
w = window(200, "2026-03-01T23:58:30Z", 180, "heartbeat-2026-03-01", "heartbeat-2026-03-02")
check(w["totals"]["PutLogEvents"] == 200 * 4 and w["totals"]["CreateLogGroup"] == 0,
      "start at once + 3 ticks across midnight on existing streams: one PutLogEvents per delivery")
check("heartbeat-2026-03-02" not in w["create_calls"],
      "no create for the new day's stream (only, by chance, the day after's, ahead of time)")
check(w["series"]["PutLogEvents"][90] == 200, "the 00:00 tick: one PutLogEvents per host, in its second")

# Tomorrow's stream is missing (nobody created it ahead): the publisher's put first meets
# ResourceNotFound at 00:00 on every host, which creates the stream and retries.
w = window(200, "2026-03-01T23:58:30Z", 180, "heartbeat-2026-03-01")
check(w["create_calls"].get("heartbeat-2026-03-02") == 200 and w["totals"]["PutLogEvents"] == 200 * 5,
      "a missing day stream: every host's 00:00 put fails, creates, retries (the burst precreation avoids)")

# A whole day of 300 hosts: one ahead-of-time create per host per day, never in the 00:00 minute.
out = TMP / "d.json"
subprocess.run([SIM, "day", "300", "0", str(out), "20"], check=True)
d = json.loads(out.read_text())
creates = d["day_series"]["CreateLogStream"]
per_min = [sum(creates[i:i + 60]) for i in range(0, len(creates), 60)]
check(sum(d["cold_start"]["CreateLogStream"]) == 0, "cold start on an existing group and stream: no create")
check(295 <= sum(creates[:86400]) <= 305, "about one CreateLogStream per host in the day")
check(per_min[0] == 0 and per_min[1440] == 0, "none in the 00:00 minute")
check(d["sample_calls"] == d["sample_deliveries"], "one call per delivery into an existing stream")
