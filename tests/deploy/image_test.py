"""The container image's recipe (deploy/container/Dockerfile), checked
without building it:
  - every shared library each binary links (ldd) comes from a package the
    Dockerfile installs, one those depend on, or one every Debian image has
    (priority required);
  - the binaries the manifests (deploy/k8s) run are the ones it copies, to
    the paths they run them from, and the image it makes is the one they
    name; it runs as the user they run as.
Building and running the image is deploy/container/build.sh's; it needs
buildah (and podman to run it), which this test does not.
"""

import os
import re
import subprocess
import unittest

ROOT = os.getcwd()
DOCKERFILE = os.path.join(ROOT, "deploy/container/Dockerfile")
BINARIES = ["store/store_server", "ingest/ingest_server", "query/query_server",
            "cli/archivectl"]


def dockerfile():
    with open(DOCKERFILE) as f:
        return f.read()


def installed_packages(text):
    block = re.search(r"apt-get install -y --no-install-recommends(.*?)&&", text, re.S)
    return set(re.findall(r"[a-z0-9][a-z0-9.+-]+", block.group(1).replace("\\", " ")))


def packages_of(libraries):
    """{library: package}, asking dpkg once for every form of every path
    (a library found under /lib may be installed under /usr/lib)."""
    forms = {library: (library, os.path.realpath(library), "/usr" + library)
             for library in libraries}
    paths = sorted({path for group in forms.values() for path in group})
    result = subprocess.run(["dpkg", "-S"] + paths, capture_output=True, text=True)
    owner = {}
    for line in result.stdout.splitlines():
        package, _, path = line.partition(": ")
        owner[path] = package.split(":")[0]
    return {library: next((owner[p] for p in group if p in owner), None)
            for library, group in forms.items()}


def dependency_closure(packages):
    result = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
         "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"] + sorted(packages),
        capture_output=True, text=True)
    closure = set(packages)
    for line in result.stdout.splitlines():
        match = re.match(r"^\s*(?:\|)?(?:Pre)?Depends: <?([a-z0-9.+-]+)", line)
        if match:
            closure.add(match.group(1))
        elif re.match(r"^[a-z0-9.+-]+$", line):
            closure.add(line)
    return closure


def required_packages():
    result = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Priority}\n"],
                            capture_output=True, text=True, check=True)
    return {line.split()[0] for line in result.stdout.splitlines()
            if line.endswith(" required")}


class ImageRecipeTest(unittest.TestCase):
    def test_every_linked_library_is_in_the_image(self):
        listed = installed_packages(dockerfile())
        provided = dependency_closure(listed) | required_packages()
        linked = {}
        for binary in BINARIES:
            ldd = subprocess.run(["ldd", os.path.join(ROOT, binary)], capture_output=True,
                                 text=True, check=True).stdout
            for library in re.findall(r"=> (/\S+)", ldd):
                linked.setdefault(library, binary)
        for library, package in packages_of(linked).items():
            with self.subTest(binary=linked[library], library=library):
                self.assertIsNotNone(package, f"no package holds {library}")
                self.assertIn(package, provided,
                              f"{library} is {package}'s, which the image does not install")

    def test_the_manifests_run_what_the_image_holds(self):
        text = dockerfile()
        copied = re.search(r"^COPY (.*) /usr/local/bin/$", text, re.M).group(1).split()
        self.assertEqual(sorted(os.path.basename(c) for c in copied),
                         sorted(os.path.basename(b) for b in BINARIES))
        self.assertRegex(text, r"(?m)^USER 10001:10001$")
        commands, images = set(), set()
        for folder, _, files in os.walk(os.path.join(ROOT, "deploy/k8s")):
            for name in files:
                with open(os.path.join(folder, name)) as f:
                    manifest = f.read()
                commands |= set(re.findall(r'command: \["(/usr/local/bin/[a-z_]+)"\]', manifest))
                images |= set(re.findall(r"image: (\S+)", manifest))
                for user in re.findall(r"runAsUser: (\d+)", manifest):
                    self.assertEqual(user, "10001", name)
        self.assertEqual(commands, {"/usr/local/bin/" + os.path.basename(b) for b in BINARIES})
        self.assertEqual(images, {"news-archive:latest"})
        with open(os.path.join(ROOT, "deploy/container/build.sh")) as f:
            self.assertIn("-t news-archive:latest", f.read())


if __name__ == "__main__":
    unittest.main(verbosity=2)
