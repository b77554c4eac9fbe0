"""The servers' Prometheus metrics, checked with Debian's real tools.

Starts a store, an ingest and a query server with --metrics_listen on free
loopback ports, feeds articles through archivectl and reads them back, then:
  - `promtool check metrics` passes on every server's /metrics;
  - the figures an operator watches are there and count what happened
    (articles by outcome, rejections by field, RPCs by method and code,
    store calls by store, the store's articles and RocksDB figures, the
    process's own);
  - a real `prometheus` on loopback, scraping the three, answers a query
    through its HTTP API with the number of articles stored, and has loaded
    deploy/prometheus/alerts.yml (which `promtool check rules` accepts), with
    no alert firing on a healthy archive.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

ROOT = os.getcwd()
ALERTS = os.path.join(ROOT, "deploy/prometheus/alerts.yml")
DASHBOARD = os.path.join(ROOT, "deploy/grafana/archive.json")
# Families that have a series only once something happens: a call shed, a
# call to a store failing, a credential refused (with --auth_tokens).
EVENT_ONLY = {"archive_rpc_shed_total", "archive_store_call_failures_total",
              "archive_auth_failures_total"}


def referenced_metrics(text):
    names = set(re.findall(r"\b((?:archive|process)_[a-z0-9_]+)", text))
    return {re.sub(r"_(bucket|count|sum)$", "", name) for name in names}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


def wait_for(predicate, what, timeout=30):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            if predicate():
                return
        except Exception as error:  # not up yet
            last = error
        time.sleep(0.2)
    raise AssertionError(f"{what} not within {timeout}s (last error: {last})")


def samples(text, name):
    """{labels string: value} of metric `name` in an exposition."""
    found = {}
    for line in text.splitlines():
        match = re.match(r"^" + re.escape(name) + r"(\{[^}]*\})?\s+(\S+)$", line)
        if match:
            found[match.group(1) or ""] = float(match.group(2))
    return found


class MetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="metrics_test_", dir=os.environ.get("TEST_TMPDIR"))
        cls.processes = []
        cls.logs = []
        cls.ports = {name: free_port() for name in ("store", "ingest", "query")}
        cls.metrics = {name: free_port() for name in ("store", "ingest", "query")}
        store = f"127.0.0.1:{cls.ports['store']}"
        common = lambda name: [f"--listen=127.0.0.1:{cls.ports[name]}",
                               f"--metrics_listen=127.0.0.1:{cls.metrics[name]}"]
        cls.start("store/store_server", common("store") + [f"--db={cls.dir}/db"])
        cls.start("ingest/ingest_server", common("ingest") + [f"--stores={store}"])
        cls.start("query/query_server", common("query") + [f"--stores={store}"])
        for name in cls.ports:
            subprocess.run([cls.archivectl(), "health", "--wait=30",
                            f"127.0.0.1:{cls.ports[name]}"], check=True,
                           stdout=subprocess.DEVNULL)

        feed = os.path.join(cls.dir, "articles.jsonl")
        with open(feed, "w") as out:
            for i in range(3):
                out.write(json.dumps({"source": "metrics.example", "title": f"Story {i}",
                                      "body": f"The body of story number {i}, with words.",
                                      "publishedAt": "2024-03-01T00:00:00Z"}) + "\n")
            # A duplicate, and one rejected for its URL.
            out.write(json.dumps({"source": "metrics.example", "title": "Story 0",
                                  "body": "The body of story number 0, with words.",
                                  "publishedAt": "2024-03-01T00:00:00Z"}) + "\n")
            out.write(json.dumps({"source": "metrics.example", "title": "Bad",
                                  "body": "Bad URL.", "url": "javascript:alert(1)",
                                  "publishedAt": "2024-03-01T00:00:00Z"}) + "\n")
        result = subprocess.run([cls.archivectl(), "feed", f"--ingest=127.0.0.1:{cls.ports['ingest']}",
                                 feed], capture_output=True, text=True)
        assert result.returncode == 1, result.stdout + result.stderr  # one rejected
        subprocess.run([cls.archivectl(), "list", f"--query=127.0.0.1:{cls.ports['query']}"],
                       check=True, stdout=subprocess.DEVNULL)

    @classmethod
    def start(cls, binary, args):
        name = os.path.basename(binary)
        log = open(os.path.join(cls.dir, name + ".log"), "w")
        cls.logs.append(log)
        cls.processes.append(subprocess.Popen([os.path.join(ROOT, binary)] + args,
                                              stdout=log, stderr=subprocess.STDOUT))

    @staticmethod
    def archivectl():
        return os.path.join(ROOT, "cli/archivectl")

    @classmethod
    def tearDownClass(cls):
        for process in cls.processes:
            process.terminate()
        for process in cls.processes:
            process.wait(timeout=30)
        for log in cls.logs:
            log.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def exposition(self, name):
        return fetch(f"http://127.0.0.1:{self.metrics[name]}/metrics")

    def test_promtool_accepts_every_servers_metrics(self):
        for name in self.metrics:
            with self.subTest(server=name):
                check = subprocess.run(["promtool", "check", "metrics"],
                                       input=self.exposition(name), capture_output=True,
                                       text=True)
                self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

    def test_promtool_accepts_the_alert_rules(self):
        check = subprocess.run(["promtool", "check", "rules", ALERTS], capture_output=True,
                               text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

    def test_every_metric_the_dashboard_and_alerts_use_exists(self):
        with open(DASHBOARD) as f:
            dashboard = json.load(f)
        exprs = " ".join(target["expr"] for panel in dashboard["panels"]
                         for target in panel["targets"])
        with open(ALERTS) as f:
            alerts = f.read()
        served = set()
        for name in self.metrics:
            served |= set(re.findall(r"^# TYPE (\S+)", self.exposition(name), re.M))
        for source, text in (("deploy/grafana/archive.json", exprs),
                             ("deploy/prometheus/alerts.yml", alerts)):
            missing = referenced_metrics(text) - served - EVENT_ONLY
            self.assertEqual(missing, set(), f"{source} uses metrics no server serves")

    def test_ingest_counts_articles_by_outcome_and_rejections_by_field(self):
        text = self.exposition("ingest")
        outcomes = samples(text, "archive_ingest_articles_total")
        self.assertEqual(outcomes.get('{outcome="stored"}'), 3, outcomes)
        self.assertEqual(outcomes.get('{outcome="duplicate"}'), 1, outcomes)
        self.assertEqual(outcomes.get('{outcome="rejected"}'), 1, outcomes)
        self.assertEqual(samples(text, "archive_ingest_rejected_total").get('{field="url"}'), 1)
        calls = samples(text, "archive_store_call_seconds_count")
        self.assertTrue(any('method="Put"' in labels for labels in calls), calls)
        handled = samples(text, "archive_rpc_handled_total")
        self.assertEqual(
            handled.get('{code="OK",method="/archive.v1.Ingest/SubmitStream"}'), 1, handled)

    def test_store_reports_what_it_holds_and_rocksdbs_figures(self):
        text = self.exposition("store")
        self.assertEqual(samples(text, "archive_store_articles").get(""), 3)
        self.assertEqual(samples(text, "archive_store_writes_allowed").get(""), 1)
        self.assertGreater(samples(text, "archive_store_disk_free_bytes").get(""), 0)
        pending = samples(text, "archive_rocksdb_pending_compaction_bytes")
        self.assertIn('{family="articles"}', pending)
        self.assertIn("", samples(text, "archive_rocksdb_block_cache_capacity_bytes"))
        self.assertGreaterEqual(samples(text, "archive_store_put_items_count").get(""), 1)
        self.assertGreater(samples(text, "process_resident_memory_bytes").get(""), 0)
        self.assertGreater(samples(text, "process_open_fds").get(""), 0)

    def test_query_records_rpcs_and_store_calls(self):
        text = self.exposition("query")
        handled = samples(text, "archive_rpc_handled_total")
        self.assertEqual(
            handled.get('{code="OK",method="/archive.v1.Query/ListArticles"}'), 1, handled)
        calls = samples(text, "archive_store_call_seconds_count")
        self.assertTrue(any('method="Scan"' in labels for labels in calls), calls)

    def test_a_real_prometheus_scrapes_them_and_answers_a_query(self):
        if shutil.which("prometheus") is None:
            self.skipTest("prometheus is not installed (deploy/install_deps.sh installs it)")
        port = free_port()
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w") as out:
            out.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n")
            out.write(f"rule_files:\n  - {ALERTS}\nscrape_configs:\n")
            for name, metrics_port in self.metrics.items():
                out.write(f"  - job_name: {name}\n    static_configs:\n"
                          f"      - targets: ['127.0.0.1:{metrics_port}']\n")
        log = open(os.path.join(self.dir, "prometheus.log"), "w")
        prometheus = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--web.listen-address=127.0.0.1:{port}",
             f"--storage.tsdb.path={self.dir}/tsdb"], stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(log.close)
        try:
            def value(query):
                answer = json.loads(fetch(f"http://127.0.0.1:{port}/api/v1/query?query="
                                          + urllib.parse.quote(query)))
                results = answer["data"]["result"]
                return float(results[0]["value"][1]) if results else None

            wait_for(lambda: value('archive_store_articles{job="store"}') == 3,
                     "prometheus answering archive_store_articles 3", 60)
            wait_for(lambda: value("sum(up)") == 3, "all three targets up", 30)

            def rules_evaluated():
                answer = json.loads(fetch(f"http://127.0.0.1:{port}/api/v1/rules"))
                rules = [rule for group in answer["data"]["groups"] for rule in group["rules"]]
                return len(rules) == 10 and all(rule["health"] == "ok" for rule in rules)
            wait_for(rules_evaluated, "the alert rules loaded and evaluated", 30)
            answer = json.loads(fetch(f"http://127.0.0.1:{port}/api/v1/alerts"))
            firing = [alert for alert in answer["data"]["alerts"]
                      if alert["state"] == "firing"]
            self.assertEqual(firing, [])
        finally:
            prometheus.terminate()
            prometheus.wait(timeout=30)


if __name__ == "__main__":
    unittest.main(verbosity=2)
