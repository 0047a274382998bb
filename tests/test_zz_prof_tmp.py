import time as T
from tests.test_sms_worker import *  # noqa

def test_prof(db, queue, twilio, fake_twilio):
    t=T.perf_counter()
    for i in range(120):
        queue(body=f"drain {i}", phone=f"+849120{i:05d}")
    t1=T.perf_counter()
    stats = run_once("w1", batch=50, channel=twilio, now=DAY)
    t2=T.perf_counter()
    t3=T.perf_counter()
    for i in range(120): twilio.send("+84912000000", "x")
    t4=T.perf_counter()
    print("queue", t1-t, "run", t2-t1, "raw sends", t4-t3)
