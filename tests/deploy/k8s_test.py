"""The Kubernetes manifests (deploy/k8s), checked offline: no cluster runs here.

  - `kubectl kustomize` renders the base, the three-store overlay and the
    rebalance Job;
  - every object is shaped as the archive needs (stable store names that
    --stores lists, probes on the health port, a grace period longer than the
    drain, disruption budgets of R-1 stores, non-root, read-only root
    filesystem, requests and limits);
  - every flag the manifests give a binary is one it accepts (--helpfull);
  - the overlay's topology runs as processes on loopback with the rendered
    flags (three stores, two ingest and two query servers): articles fed
    through each ingest server are read through each query server.
Not checked here: the objects against the Kubernetes OpenAPI schemas.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import yaml

ROOT = os.getcwd()
K8S = os.path.join(ROOT, "deploy/k8s")
BINARIES = {
    "/usr/local/bin/store_server": "store/store_server",
    "/usr/local/bin/ingest_server": "ingest/ingest_server",
    "/usr/local/bin/query_server": "query/query_server",
    "/usr/local/bin/archivectl": "cli/archivectl",
}
DRAIN_SECONDS = 10  # the servers' shutdown grace


def render(path):
    result = subprocess.run(["kubectl", "kustomize", path], capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize {path}: {result.stderr}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def by_kind(objects, kind):
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def expand(args, env):
    return [re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], a) for a in args]


def flag_value(args, name):
    for arg in args:
        if arg.startswith(f"--{name}="):
            return arg.split("=", 1)[1]
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@unittest.skipIf(shutil.which("kubectl") is None,
                 "kubectl is not installed (deploy/install_deps.sh installs kubernetes-client)")
class K8sManifestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # A copy: Bazel's runfiles are symlinks, which kustomize does not
        # take for its files.
        cls.copy = tempfile.mkdtemp(prefix="k8s_manifests_", dir=os.environ.get("TEST_TMPDIR"))
        k8s = shutil.copytree(K8S, os.path.join(cls.copy, "k8s"))
        cls.overlay = render(os.path.join(k8s, "overlays/three-stores"))
        cls.base = render(os.path.join(k8s, "base"))
        cls.rebalance = render(os.path.join(k8s, "rebalance"))
        cls.flags = by_kind(cls.overlay, "ConfigMap")["archive-flags"]["data"]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.copy, ignore_errors=True)

    def workloads(self, objects):
        for kind in ("StatefulSet", "Deployment", "Job"):
            yield from by_kind(objects, kind).values()

    def test_every_part_is_rendered(self):
        self.assertEqual(set(by_kind(self.overlay, "Service")), {"store", "ingest", "query"})
        self.assertEqual(set(by_kind(self.overlay, "StatefulSet")), {"store"})
        self.assertEqual(set(by_kind(self.overlay, "Deployment")), {"ingest", "query"})
        self.assertEqual(set(by_kind(self.overlay, "PodDisruptionBudget")),
                         {"store", "ingest", "query"})
        self.assertEqual(set(by_kind(self.rebalance, "Job")), {"rebalance"})
        # Headless: Kubernetes spells it as the string "None".
        self.assertEqual(by_kind(self.overlay, "Service")["store"]["spec"]["clusterIP"], "None")

    def test_stores_lists_every_store_by_its_stable_name_and_budgets_allow_r_minus_1(self):
        for objects in (self.base, self.overlay):
            flags = by_kind(objects, "ConfigMap")["archive-flags"]["data"]
            stores = by_kind(objects, "StatefulSet")["store"]
            count = stores["spec"]["replicas"]
            service = stores["spec"]["serviceName"]
            self.assertEqual(flags["ARCHIVE_STORES"].split(","),
                             [f"store-{i}.{service}:50052" for i in range(count)])
            replicas = int(flags["ARCHIVE_REPLICAS"])
            self.assertTrue(1 <= replicas <= count)
            self.assertEqual(
                by_kind(objects, "PodDisruptionBudget")["store"]["spec"]["maxUnavailable"],
                replicas - 1)
        self.assertEqual(by_kind(self.overlay, "StatefulSet")["store"]["spec"]["replicas"], 3)

    def test_pods_are_probed_secured_bounded_and_given_time_to_drain(self):
        for workload in self.workloads(self.overlay + self.rebalance):
            name = workload["metadata"]["name"]
            pod = workload["spec"]["template"]["spec"]
            with self.subTest(workload=name):
                self.assertTrue(pod["securityContext"]["runAsNonRoot"])
                if workload["kind"] != "Job":
                    self.assertGreater(pod["terminationGracePeriodSeconds"], DRAIN_SECONDS)
                for container in pod["containers"]:
                    security = container["securityContext"]
                    self.assertTrue(security["readOnlyRootFilesystem"])
                    self.assertFalse(security["allowPrivilegeEscalation"])
                    self.assertEqual(security["capabilities"]["drop"], ["ALL"])
                    self.assertIn("memory", container["resources"]["requests"])
                    self.assertIn("memory", container["resources"]["limits"])
                    if workload["kind"] == "Job":
                        continue
                    health = flag_value(container["args"], "health_listen")
                    self.assertIsNotNone(health, "no plaintext health port for the probes")
                    port = int(health.rsplit(":", 1)[1])
                    for probe in ("readinessProbe", "livenessProbe"):
                        self.assertEqual(container[probe]["grpc"]["port"], port)

    def test_every_flag_is_one_its_binary_accepts(self):
        for workload in self.workloads(self.overlay + self.rebalance):
            for container in workload["spec"]["template"]["spec"]["containers"]:
                binary = os.path.join(ROOT, BINARIES[container["command"][0]])
                args = container["args"]
                if binary.endswith("archivectl"):
                    usage = subprocess.run([binary, "help"], capture_output=True,
                                           text=True).stdout
                    verb_usage = next(line for line in usage.splitlines()
                                      if line.strip().startswith(args[0]))
                    accepted = set(re.findall(r"--([a-z_]+)", verb_usage))
                    args = args[1:]
                else:
                    help_text = subprocess.run([binary, "--helpfull"], capture_output=True,
                                               text=True).stdout
                    accepted = set(re.findall(r"^\s+--([a-z_]+)", help_text, re.M))
                for arg in args:
                    with self.subTest(binary=container["command"][0], arg=arg):
                        self.assertIn(re.match(r"--([a-z_]+)", arg).group(1), accepted)

    def test_the_topology_runs_on_loopback_with_the_rendered_flags(self):
        directory = tempfile.mkdtemp(prefix="k8s_test_", dir=os.environ.get("TEST_TMPDIR"))
        processes, logs = [], []
        try:
            stores = by_kind(self.overlay, "StatefulSet")["store"]
            count = stores["spec"]["replicas"]
            # Each pod's name, as ARCHIVE_STORES gives it, becomes a loopback
            # address: the same list, in the same order.
            loopback = {name: f"127.0.0.1:{free_port()}"
                        for name in self.flags["ARCHIVE_STORES"].split(",")}
            env = dict(self.flags, ARCHIVE_STORES=",".join(loopback.values()))

            def start(container, listen, extra, tag):
                args = []
                for arg in expand(container["args"], env):
                    flag = arg.split("=", 1)[0]
                    if flag == "--listen":
                        arg = f"--listen={listen}"
                    elif flag in ("--health_listen", "--metrics_listen"):
                        arg = f"{flag}=127.0.0.1:{free_port()}"
                    elif flag == "--db":
                        arg = f"--db={directory}/{tag}"
                    args.append(arg)
                log = open(os.path.join(directory, tag + ".log"), "w")
                logs.append(log)
                binary = os.path.join(ROOT, BINARIES[container["command"][0]])
                processes.append(subprocess.Popen([binary] + args + extra, stdout=log,
                                                  stderr=subprocess.STDOUT))
                return flag_value(args, "health_listen")

            healths = []
            store_container = stores["spec"]["template"]["spec"]["containers"][0]
            for i, address in enumerate(loopback.values()):
                healths.append(start(store_container, address, [], f"store-{i}"))
            servers = {}
            for kind in ("ingest", "query"):
                deployment = by_kind(self.overlay, "Deployment")[kind]
                container = deployment["spec"]["template"]["spec"]["containers"][0]
                for i in range(deployment["spec"]["replicas"]):
                    address = f"127.0.0.1:{free_port()}"
                    servers.setdefault(kind, []).append(address)
                    healths.append(start(container, address, [], f"{kind}-{i}"))
            archivectl = os.path.join(ROOT, "cli/archivectl")
            # The probes' port answers as the kubelet would ask it.
            subprocess.run([archivectl, "health", "--wait=30"] + healths, check=True,
                           stdout=subprocess.DEVNULL)

            for i, ingest in enumerate(servers["ingest"]):
                feed = os.path.join(directory, f"feed-{i}.jsonl")
                with open(feed, "w") as out:
                    for n in range(5):
                        out.write(json.dumps({
                            "source": "k8s.example", "title": f"Through ingest {i}, story {n}",
                            "body": f"Story {n} fed through ingest server {i} of the topology.",
                            "publishedAt": "2024-05-01T00:00:00Z"}) + "\n")
                subprocess.run([archivectl, "feed", f"--ingest={ingest}", feed], check=True,
                               stdout=subprocess.DEVNULL)
            for query in servers["query"]:
                listed = subprocess.run([archivectl, "list", f"--query={query}", "--limit=100",
                                         "--json"], check=True, capture_output=True, text=True)
                self.assertEqual(len(listed.stdout.splitlines()), 10, listed.stdout)
            verify = subprocess.run([archivectl, "verify", f"--stores={env['ARCHIVE_STORES']}",
                                     f"--replicas={env['ARCHIVE_REPLICAS']}"],
                                    capture_output=True, text=True)
            self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
            self.assertEqual(count, len(loopback))
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
            for log in logs:
                log.close()
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
