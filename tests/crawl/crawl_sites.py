"""The news sites that the crawl test serves, as a crawler would find them:
an English paper (JSON-LD, a page sent chunked), an Arabic one in
windows-1256 and a Korean one in EUC-KR (one page gzip-compressed), each with
an index page that lists its articles, a link to a page that is gone and a
picture. One handler serves every host: wget reaches it as an HTTP proxy, so
the WARC names the sites' own URLs while all traffic stays on loopback.
"""
import gzip
import http.server
import json
import socketserver
import threading
import urllib.parse

EN_PARAGRAPHS = [
    "Japan and the United States agreed on Friday to deepen their security "
    "cooperation, the two leaders said after talks at the White House that "
    "lasted more than two hours.",
    "The prime minister told reporters that Tokyo would double its defence "
    "spending over five years, a step that officials in Washington welcomed as "
    "a turning point for the alliance.",
    "Analysts said the agreement reflected growing concern in both capitals "
    "about the region's shifting balance of power, and about supply chains for "
    "the semiconductors on which both economies depend.",
    "The leaders also discussed trade, climate and the war in Ukraine, and "
    "agreed to meet again in the spring, according to a joint statement.",
]
EN_TRADE_PARAGRAPHS = [
    "Exporters reported a sharp rise in orders in the last quarter of the year, "
    "as shipping costs fell back to the levels seen before the pandemic.",
    "The trade ministry said the surplus had widened for a third month in a "
    "row, helped by strong demand for cars and machinery from Europe.",
    "Economists cautioned that a slowdown in China could weigh on the figures "
    "later in the year, and that the currency's strength was a further risk.",
]
AR_PARAGRAPHS = [
    "اتفق زعيما البلدين يوم الجمعة على تعميق التعاون الأمني بينهما، وذلك بعد "
    "محادثات استمرت أكثر من ساعتين في العاصمة.",
    "وقال رئيس الوزراء للصحافيين إن حكومته ستضاعف الإنفاق الدفاعي خلال خمس "
    "سنوات، وهي خطوة رحب بها المسؤولون بوصفها نقطة تحول في العلاقات.",
    "ورأى محللون أن الاتفاق يعكس قلقاً متزايداً في العاصمتين من تغير موازين "
    "القوى في المنطقة، ومن سلاسل إمداد أشباه الموصلات.",
]
KO_PARAGRAPHS = [
    "한국과 일본 정상은 금요일 정상회담을 열고 안보 협력을 강화하기로 합의했다고 "
    "정부 관계자들이 밝혔다.",
    "총리는 기자들에게 앞으로 5년 동안 방위비를 두 배로 늘리겠다고 말했으며, "
    "이는 양국 관계의 전환점으로 평가된다.",
    "전문가들은 이번 합의가 지역의 세력 균형 변화와 반도체 공급망에 대한 "
    "우려를 반영한 것이라고 분석했다.",
]

ARTICLES = {
    # url: (headline, published RFC 3339, authors, paragraphs, language)
    "http://news.example/world/leaders-agree.html": (
        "Japan and US Agree to Deepen Security Cooperation",
        "2023-01-13T15:00:00Z", ["Jane Doe"], EN_PARAGRAPHS, "en"),
    "http://news.example/business/exports.html": (
        "Exports Rise as Shipping Costs Fall",
        "2023-01-16T09:30:00Z", ["John Roe"], EN_TRADE_PARAGRAPHS, "en"),
    "http://ar.example/politics/summit.html": (
        "الزعيمان يتفقان على تعميق التعاون الأمني",
        "2023-01-14T10:00:00Z", [], AR_PARAGRAPHS, "ar"),
    "http://ko.example/politics/summit.html": (
        "한일 정상, 안보 협력 강화 합의",
        "2023-01-15T02:00:00Z", [], KO_PARAGRAPHS, "ko"),
}
CHARSETS = {"news.example": "utf-8", "ar.example": "windows-1256", "ko.example": "euc-kr"}
SITE_NAMES = {"news.example": "The Example Times", "ar.example": "الصحيفة",
              "ko.example": "예시일보"}
GZIPPED = {"http://ko.example/politics/summit.html"}
CHUNKED = {"http://news.example/world/leaders-agree.html"}


def chrome(host):
    return ("<header><a href=\"/\">%s</a></header>"
            "<nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/world/\">World</a></li>"
            "<li><a href=\"/business/\">Business</a></li></ul></nav>" % SITE_NAMES[host])


def article_page(url):
    headline, published, authors, paragraphs, language = ARTICLES[url]
    host = urllib.parse.urlsplit(url).hostname
    charset = CHARSETS[host]
    ld = ""
    if host == "news.example":
        ld = ("<script type=\"application/ld+json\">%s</script>" % json.dumps({
            "@context": "https://schema.org", "@type": "NewsArticle",
            "headline": headline, "datePublished": published,
            "author": [{"@type": "Person", "name": a} for a in authors]}))
    byline = "<p class=\"byline\">By %s</p>" % " and ".join(authors) if authors else ""
    body = "".join("<p>%s</p>" % p for p in paragraphs)
    page = (
        "<!DOCTYPE html><html lang=\"%s\"%s><head><meta charset=\"%s\">"
        "<title>%s | %s</title>"
        "<meta property=\"article:published_time\" content=\"%s\">"
        "<link rel=\"canonical\" href=\"%s\">%s"
        "<style>body{font-family:serif}</style></head><body>%s"
        "<main><article><h1>%s</h1>%s"
        "<figure><img src=\"/photo.jpg\"><figcaption>The leaders at the meeting.</figcaption></figure>"
        "%s<div class=\"share\">Share <span>20</span></div></article>"
        "<aside class=\"most-read\"><h2>Most read</h2><ul><li><a href=\"/\">Another story</a></li>"
        "</ul></aside></main><footer>Copyright %s</footer>"
        "<script>window.ads = [];</script></body></html>") % (
            language, " dir=\"rtl\"" if language == "ar" else "", charset, headline,
            SITE_NAMES[host], published, url, ld, chrome(host), headline, byline, body,
            SITE_NAMES[host])
    return page.encode(charset)


def index_page(host):
    links = "".join("<li><a href=\"%s\">%s</a></li>" % (urllib.parse.urlsplit(u).path, a[0])
                    for u, a in ARTICLES.items() if urllib.parse.urlsplit(u).hostname == host)
    page = ("<!DOCTYPE html><html><head><meta charset=\"%s\"><title>%s</title></head><body>%s"
            "<ul>%s<li><a href=\"/gone.html\">Old story</a></li></ul>"
            "<img src=\"/logo.png\"></body></html>") % (
                CHARSETS[host], SITE_NAMES[host], chrome(host), links)
    return page.encode(CHARSETS[host])


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        host = url.hostname or self.headers.get("Host", "").split(":")[0]
        full = "http://%s%s" % (host, url.path)
        headers = {}
        if host not in CHARSETS:
            status, body, content_type = 404, b"no such site", "text/plain"
        elif url.path in ("/", "/world/", "/business/"):
            status, body = 200, index_page(host)
            content_type = "text/html; charset=%s" % CHARSETS[host]
        elif full in ARTICLES:
            status, body = 200, article_page(full)
            content_type = "text/html; charset=%s" % CHARSETS[host]
            headers["Last-Modified"] = "Mon, 16 Jan 2023 12:00:00 GMT"
        elif url.path == "/logo.png":
            status, body, content_type = 200, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png"
        else:
            status, body = 404, b"<html><body><h1>Page not found</h1></body></html>"
            content_type = "text/html"
        if full in GZIPPED:
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name, value)
        if full in CHUNKED:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 500):
                piece = body[start:start + 500]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def serve():
    """Starts the sites on a free loopback port; returns the server."""
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
