"""The session benchmark's own measuring: what bench/RESULTS.md claims rests on these counts.

A compare-and-set script must count as the one round trip it is, not as the commands it runs
inside Redis; paired figures must pool and judge the way the report says.
"""

from collections import Counter

from bench.session_bench.harness import CommandCounter, CpuJiffies, RedisWork, Slice, Tally
from bench.session_bench.report import speed_targets
from bench.session_bench.rows import PairedRun

SCRIPT = "redis.call('GET', KEYS[1]); return redis.call('SET', KEYS[1], ARGV[1])"


def test_a_script_is_one_round_trip_and_its_commands_are_counted_apart(private_redis):
    counter = CommandCounter(private_redis)
    app = private_redis.client()
    sha = app.script_load(SCRIPT)
    counter.begin()
    app.get("housler:session:a")
    app.evalsha(sha, 1, "housler:session:a", "value")
    counter.client.info()  # the counter's own commands are never the application's
    work = counter.since_begin()
    assert work.round_trips == Counter({"get": 1, "evalsha": 1})
    assert work.in_scripts == Counter({"get": 1, "set": 1})


def test_begin_forgets_what_came_before(private_redis):
    counter = CommandCounter(private_redis)
    private_redis.client().set("before", "1")
    counter.begin()
    assert counter.since_begin().round_trips == Counter()


def test_steal_is_a_share_of_the_machine_time_between_samples():
    before = CpuJiffies(steal=100, total=10_000)
    assert CpuJiffies(steal=130, total=11_000).steal_since(before) == 0.03
    assert CpuJiffies.now().steal_since(CpuJiffies.now()) >= 0.0


def run(requests: int, seconds: float, steal: float = 0.0, round_trips: int = 0) -> Slice:
    tally = Tally(requests=requests)
    redis = RedisWork(round_trips=Counter({"get": round_trips}))
    return Slice(tally, seconds, cpu=requests / 1000, redis=redis, steal=steal, load=1.0)


def test_pooled_slices_weigh_steal_by_time():
    pooled = Slice.pooled([run(100, 1.0, steal=0.0), run(300, 3.0, steal=0.04)])
    assert pooled.rps == 100
    assert pooled.steal == 0.03


def test_targets_are_judged_on_the_median_pair():
    def pair(ours_rps: float) -> PairedRun:
        return PairedRun(
            1,
            ("housler", "django_cache"),
            run(ours_rps, 1, round_trips=145),
            run(100, 1, round_trips=200),
        )

    slower = speed_targets([pair(104), pair(104), pair(130)], engine=None)
    faster = speed_targets([pair(90), pair(106), pair(106)], engine=None)
    assert "1.04× (1.04–1.30)" in slower[0] and slower[0].endswith("**not met**")
    assert "1.06× (0.90–1.06)" in faster[0] and faster[0].endswith("met")
    assert not faster[0].endswith("**not met**")
