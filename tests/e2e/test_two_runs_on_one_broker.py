"""Two ``make services`` runs on one RabbitMQ keep apart: each has its own queues and
exchanges (a queue prefix) and its own Celery node names."""

from deploy.local.topology import Topology


def queue_prefixes(topology: Topology) -> set[str]:
    django = [process for process in topology.plan() if "DJANGO_SETTINGS_MODULE" in process.env]
    return {process.env.get("CELERY_QUEUE_PREFIX", "") for process in django}


def node_names(topology: Topology) -> set[str]:
    return {
        process.argv[process.argv.index("-n") + 1]
        for process in topology.plan()
        if "-n" in process.argv
    }


def test_two_runs_with_other_databases_use_other_queues():
    with (
        Topology("services", database_prefix="tourism_a", echo=print) as one,
        Topology("services", database_prefix="tourism_b", echo=print) as two,
    ):
        (first,), (second,) = queue_prefixes(one), queue_prefixes(two)
        assert first and second and first != second


def test_a_queue_prefix_can_be_chosen():
    with Topology("monolith", queue_prefix="mine.", echo=print) as topology:
        assert queue_prefixes(topology) == {"mine."}


def test_two_runs_never_share_a_worker_node_name():
    with Topology("services", echo=print) as one, Topology("services", echo=print) as two:
        assert node_names(one) and node_names(two)
        assert not node_names(one) & node_names(two)
