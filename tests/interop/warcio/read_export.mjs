// Reads WARC files that `archivectl export --format=warc` wrote with
// warcio.js (an independent reader, the Webrecorder project's), and checks
// each record against docs/WARC.md ("Export"): a warcinfo record first,
// then conversion records whose WARC-Block-Digest is the SHA-1 (base32)
// of the block, which is an Article in protobuf's JSON mapping.
// Usage: node read_export.mjs FILE.warc[.gz] EXPECTED_ARTICLES
// Prints one line a record and "FILE: N records read"; exits 1 on a mismatch.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { WARCParser } from "warcio";

const [file, expectedText] = process.argv.slice(2);
const expected = Number(expectedText);
let failures = 0;
const fail = (what) => {
  console.log(`  FAIL ${what}`);
  failures++;
};

// RFC 4648 base32, as WARC digests are written.
function base32(bytes) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0, out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

const parser = new WARCParser(fs.createReadStream(file));
let index = 0;
let previousDate = "";
for await (const record of parser) {
  const block = await record.readFully(false);
  const digest = "sha1:" + base32(createHash("sha1").update(block).digest());
  const type = record.warcType;
  const uri = record.warcTargetURI;
  const date = record.warcDate;
  const contentType = record.warcContentType;
  console.log(`${path.basename(file)} #${index}: ${type} ${uri ?? "-"} ${date} ${contentType} ` +
              `${block.length} bytes ${record.warcBlockDigest}`);
  if (record.warcHeaders.protocol !== "WARC/1.1") fail(`version ${record.warcHeaders.protocol}`);
  if (record.warcBlockDigest !== digest) fail(`block digest, computed ${digest}`);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(date ?? "")) fail(`WARC-Date ${date}`);
  if (index === 0) {
    if (type !== "warcinfo") fail("the first record is not warcinfo");
    if (contentType !== "application/warc-fields") fail(`Content-Type ${contentType}`);
    const text = new TextDecoder().decode(block);
    for (const line of ["software: archivectl", "format: WARC File Format 1.1",
                        "x-archive-selection: "]) {
      if (!text.includes(line)) fail(`warcinfo lacks "${line}"`);
    }
  } else {
    if (type !== "conversion") fail(`type ${type}`);
    if (contentType !== "application/vnd.archive.article+json") fail(`Content-Type ${contentType}`);
    if (record.warcPayloadDigest !== digest) fail(`payload digest ${record.warcPayloadDigest}`);
    const article = JSON.parse(new TextDecoder().decode(block));
    const wantUri = article.url ?? `urn:archive:article:${article.id}`;
    if (uri !== wantUri) fail(`WARC-Target-URI ${uri}, the article's is ${wantUri}`);
    if (!article.crawledAt || Date.parse(article.crawledAt) !== Date.parse(date)) {
      fail(`WARC-Date ${date}, the article was crawled at ${article.crawledAt}`);
    }
    if (previousDate && article.publishedAt < previousDate) fail("not oldest first");
    previousDate = article.publishedAt;
    console.log(`  article ${article.id} "${article.title}" ` +
                `${(article.sightings ?? []).length} sighting(s)`);
  }
  index++;
}
if (index !== expected + 1) fail(`${index} records, expected a warcinfo and ${expected} articles`);
console.log(`${path.basename(file)}: ${index} records read, ${failures} failure(s)`);
process.exit(failures === 0 ? 0 : 1);
