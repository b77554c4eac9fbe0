"""Articles from a real crawler's WARC files.

Serves three small news sites (crawl_sites.py) on loopback, crawls them with
Debian's GNU Wget (--warc-file, --warc-cdx) through that server as its HTTP
proxy, feeds the .warc.gz to a real pipeline (store_server, ingest_server,
query_server) with `archivectl feed`, and reads the articles back with
`archivectl list/get --json`: headline, date, authors, language, body,
source from the URL's host, pages that are not articles counted by reason.
A second crawl of the same pages is all duplicates, each with a sighting; a
third with --warc-dedup writes revisit records, which become sightings.
`archivectl export --format=warc` of it all, fed into an empty archive, gives
the same articles.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.getcwd(), "tests/interop"))
sys.path.insert(0, os.path.join(os.getcwd(), "tests/crawl"))
import interop_support  # noqa: E402
from interop_support import ServerProcess  # noqa: E402
import crawl_sites as sites  # noqa: E402

ARCHIVECTL = os.path.join(interop_support.RUNFILES, "cli/archivectl")
WGET = shutil.which("wget")
START_URLS = ["http://news.example/", "http://ar.example/", "http://ko.example/"]


def crawl(work, name, proxy_port, extra=()):
    """Crawls the sites with wget into WORK/NAME.warc.gz; returns its path."""
    prefix = os.path.join(work, name)
    subprocess.run(
        [WGET, "--recursive", "--level=1", "--no-verbose", "--tries=1", "--timeout=10",
         "-e", "robots=off", "-e", "use_proxy=on",
         "-e", "http_proxy=http://127.0.0.1:%d/" % proxy_port,
         "--directory-prefix=" + os.path.join(work, name + "-files"),
         "--warc-file=" + prefix] + list(extra) + START_URLS,
        check=False, capture_output=True, timeout=120)
    path = prefix + ".warc.gz"
    assert os.path.exists(path), "wget wrote no %s" % path
    return path


class WgetCrawlTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if WGET is None:
            raise unittest.SkipTest("no wget (deploy/install_deps.sh installs it)")
        cls.work = interop_support.make_work_dir("wget_crawl_")
        cls.sites = sites.serve()
        cls.proxy_port = cls.sites.server_address[1]
        store = ServerProcess("store/store_server",
                              ["--db=" + os.path.join(cls.work, "db")], cls.work, "store")
        ingest = ServerProcess("ingest/ingest_server", ["--stores=" + store.address],
                               cls.work, "ingest")
        query = ServerProcess("query/query_server", ["--stores=" + store.address],
                              cls.work, "query")
        cls.servers = [store, ingest, query]
        cls.ingest, cls.query = ingest.address, query.address
        health = subprocess.run(
            [ARCHIVECTL, "health", "--wait=30"] + [s.address for s in cls.servers],
            capture_output=True, text=True)
        if health.returncode != 0:
            raise AssertionError("servers not healthy:\n%s\n%s" % (
                health.stdout + health.stderr, "\n".join(s.log() for s in cls.servers)))
        # Crawl and feed once for every test; the later crawls come a second
        # apart at least, so their WARC-Dates are later sightings.
        cls.first_warc = crawl(cls.work, "first", cls.proxy_port, ["--warc-cdx"])
        cls.first_feed = cls.archivectl("feed", "--ingest=" + cls.ingest, cls.first_warc)

    @classmethod
    def tearDownClass(cls):
        for server in getattr(cls, "servers", []):
            server.stop()
        if hasattr(cls, "sites"):
            cls.sites.shutdown()

    @classmethod
    def archivectl(cls, *args):
        return subprocess.run([ARCHIVECTL] + list(args), capture_output=True, text=True,
                              timeout=120)

    def articles(self):
        listed = self.archivectl("list", "--query=" + self.query, "--limit=100", "--json")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        return {a["url"]: a for a in map(json.loads, listed.stdout.splitlines())}

    def test_the_crawl_feeds_every_article_and_counts_the_rest(self):
        run = self.first_feed
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        self.assertIn("4 articles", run.stdout)
        self.assertIn("4 stored", run.stdout)
        # The WARC's own line: the front and section pages hold no article,
        # the old story is gone (404); not HTML are the logos and wget's own
        # log and arguments (resource records).
        summary = [l for l in run.stdout.splitlines() if l.startswith(self.first_warc)]
        self.assertEqual(len(summary), 1, run.stdout)
        self.assertIn(" 4 articles", summary[0])
        self.assertIn("9 no article text", summary[0])
        self.assertIn("3 not 200", summary[0])
        self.assertIn("5 not HTML", summary[0])

    def test_each_article_is_as_its_page_says(self):
        articles = self.articles()
        self.assertEqual(sorted(articles), sorted(sites.ARTICLES))
        for url, (headline, published, authors, paragraphs, language) in sites.ARTICLES.items():
            article = articles[url]
            self.assertEqual(article["title"], headline, url)
            self.assertEqual(article["publishedAt"], published, url)
            self.assertEqual(article.get("authors", []), authors, url)
            self.assertEqual(article["language"], language, url)
            self.assertEqual(article["source"], url.split("/")[2], url)
            self.assertEqual(article["body"], "\n\n".join(paragraphs), url)
            self.assertEqual(article.get("captions", []), ["The leaders at the meeting."], url)

    def test_a_second_crawl_is_duplicates_with_a_sighting_each(self):
        time.sleep(1.1)
        second = crawl(self.work, "second", self.proxy_port)
        run = self.archivectl("feed", "--ingest=" + self.ingest, "--json", second)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        outcomes = [json.loads(l)["outcome"] for l in run.stdout.splitlines()]
        self.assertEqual(outcomes, ["OUTCOME_DUPLICATE"] * 4, run.stdout)
        for line in run.stdout.splitlines():
            self.assertIn("offset", json.loads(line))
        for url, article in self.articles().items():
            self.assertTrue(any(s["url"] == url for s in article.get("sightings", [])),
                            (url, article.get("sightings")))

    def test_a_warc_on_standard_input_is_read_too(self):
        with open(self.first_warc, "rb") as f:
            run = subprocess.run([ARCHIVECTL, "feed", "--ingest=" + self.ingest, "--json", "-"],
                                 input=f.read(), capture_output=True, timeout=120)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        lines = [json.loads(l) for l in run.stdout.decode().splitlines()]
        self.assertEqual([l["outcome"] for l in lines], ["OUTCOME_DUPLICATE"] * 4)
        self.assertEqual({l["file"] for l in lines}, {"<stdin>"})

    def test_revisit_records_become_sightings(self):
        time.sleep(1.1)
        cdx = self.first_warc[:-len(".warc.gz")] + ".cdx"
        self.assertTrue(os.path.exists(cdx))
        third = crawl(self.work, "third", self.proxy_port, ["--warc-dedup=" + cdx])
        before = {u: len(a.get("sightings", [])) for u, a in self.articles().items()}
        # The revisits refer to the first crawl: fed in the same run, they
        # find its pages.
        run = self.archivectl("feed", "--ingest=" + self.ingest, self.first_warc, third)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        summary = [l for l in run.stdout.splitlines() if l.startswith(third)]
        self.assertEqual(len(summary), 1, run.stdout)
        self.assertIn("(4 revisits)", summary[0])
        after = {u: len(a.get("sightings", [])) for u, a in self.articles().items()}
        for url in sites.ARTICLES:
            self.assertEqual(after[url], before[url] + 1, url)

    def test_an_export_feeds_an_empty_archive_the_same_articles(self):
        exported = os.path.join(self.work, "export.warc.gz")
        run = self.archivectl("export", "--query=" + self.query, "--format=warc", "-o", exported)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        original = self.articles()
        # A second, empty archive.
        work = os.path.join(self.work, "copy")
        os.makedirs(work)
        store = ServerProcess("store/store_server", ["--db=" + os.path.join(work, "db")],
                              work, "store")
        ingest = ServerProcess("ingest/ingest_server", ["--stores=" + store.address],
                               work, "ingest")
        query = ServerProcess("query/query_server", ["--stores=" + store.address], work, "query")
        try:
            health = self.archivectl("health", "--wait=30", store.address, ingest.address,
                                     query.address)
            self.assertEqual(health.returncode, 0, health.stdout + health.stderr)
            run = self.archivectl("feed", "--ingest=" + ingest.address, exported)
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            listed = self.archivectl("list", "--query=" + query.address, "--limit=100", "--json")
            self.assertEqual(listed.returncode, 0, listed.stderr)
            copy = {a["url"]: a for a in map(json.loads, listed.stdout.splitlines())}
        finally:
            for server in (query, ingest, store):
                server.stop()
        # Ids, text, times, dates' sources, sightings: all the same.
        self.assertEqual(copy, original)

    def test_a_damaged_record_is_named_by_offset_and_the_rest_is_read(self):
        with open(self.first_warc, "rb") as f:
            data = bytearray(f.read())
        # Damage the middle of the file: one member breaks, the rest stands.
        middle = len(data) // 2
        data[middle:middle + 8] = b"\xff" * 8
        damaged = os.path.join(self.work, "damaged.warc.gz")
        with open(damaged, "wb") as f:
            f.write(bytes(data))
        run = self.archivectl("feed", "--ingest=" + self.ingest, damaged)
        self.assertEqual(run.returncode, 1, run.stdout + run.stderr)
        problems = [l for l in run.stderr.splitlines() if l.startswith(damaged + ":")]
        self.assertTrue(problems, run.stderr)
        offset = int(problems[0].split(":")[1])
        self.assertLess(offset, middle)
        self.assertIn("duplicate", run.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
