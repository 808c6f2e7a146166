import { describe, expect, it } from "vitest";
import { findMatches, foldCase, looksLikeXml, prettyXml, tokenize } from "../src/review/xml";

describe("prettyXml", () => {
  it("indents nested elements two spaces a level", () => {
    expect(prettyXml("<a><b><c/></b><d></d></a>")).toBe(
      ["<a>", "  <b>", "    <c/>", "  </b>", "  <d></d>", "</a>"].join("\n"),
    );
  });

  it("keeps an element holding one line of text on one line, text trimmed", () => {
    expect(prettyXml("<a>\n  <b>  hello world </b>\n</a>")).toBe(
      ["<a>", "  <b>hello world</b>", "</a>"].join("\n"),
    );
  });

  it("keeps declarations, comments, CDATA and doctype whole", () => {
    const xml = '<?xml version="1.0"?><!DOCTYPE a><a><!-- a <b> comment --><b><![CDATA[x < y]]></b></a>';
    expect(prettyXml(xml)).toBe(
      [
        '<?xml version="1.0"?>',
        "<!DOCTYPE a>",
        "<a>",
        "  <!-- a <b> comment -->",
        "  <b><![CDATA[x < y]]></b>",
        "</a>",
      ].join("\n"),
    );
  });

  it("does not end a tag at a > inside a quoted attribute", () => {
    expect(prettyXml("<a title=\"x > y\" b='<'><c/></a>")).toBe(
      ["<a title=\"x > y\" b='<'>", "  <c/>", "</a>"].join("\n"),
    );
  });

  it("puts mixed content and multi-line text on lines of their own", () => {
    expect(prettyXml("<p>one<b>two</b>three\nfour</p>")).toBe(
      ["<p>", "  one", "  <b>two</b>", "  three", "  four", "</p>"].join("\n"),
    );
  });

  it("never throws on malformed or cut-off input, and keeps every character but layout", () => {
    const cases = [
      "<a><b></a></b></c>",
      "a < b and c > d",
      '<a><b attr="unterminated',
      "<",
      "<!--",
      "</x>",
      "",
    ];
    for (const c of cases) {
      const out = prettyXml(c);
      expect(out.replace(/\s/g, "")).toBe(c.replace(/\s/g, ""));
    }
    expect(prettyXml('<a><b attr="cut')).toBe(["<a>", '  <b attr="cut'].join("\n"));
    expect(prettyXml("</x></y><z/>")).toBe(["</x>", "</y>", "<z/>"].join("\n"));
  });

  it("treats a stray < as text", () => {
    expect(tokenize("<a>1 < 2</a>").map((t) => t.kind)).toEqual(["open", "text", "close"]);
  });

  it("is linear: a large record indents quickly", () => {
    const one =
      '<component typeCode="COMP"><ObservationStatement classCode="OBS"><code code="1" displayName="x"/><text>some text</text></ObservationStatement></component>';
    const xml = `<EhrExtract>${one.repeat(20_000)}</EhrExtract>`;
    const started = performance.now();
    const out = prettyXml(xml);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(out.split("\n")).toHaveLength(2 + 20_000 * 6);
  });

  it("caps the indentation of very deep documents", () => {
    const deep = `${"<a>".repeat(200)}x${"</a>".repeat(200)}`;
    const lines = prettyXml(deep).split("\n");
    expect(Math.max(...lines.map((l) => l.length - l.trimStart().length))).toBe(80);
  });
});

describe("looksLikeXml", () => {
  it("tells XML from MIME and JSON", () => {
    expect(looksLikeXml('\uFEFF  <?xml version="1.0"?><a/>')).toBe(true);
    expect(looksLikeXml("<EhrExtract/>")).toBe(true);
    expect(looksLikeXml("MIME-Version: 1.0\r\n")).toBe(false);
    expect(looksLikeXml('{"payload": "<a/>"}')).toBe(false);
  });
});

describe("findMatches", () => {
  it("finds every occurrence, case-insensitively, without overlaps", () => {
    const text = "Penicillin; penicillin; PENICILLIN";
    expect(findMatches(foldCase(text), "penicillin")).toEqual([0, 12, 24]);
    expect(findMatches(foldCase("aaaa"), "aa")).toEqual([0, 2]);
    expect(findMatches(foldCase("abc"), "")).toEqual([]);
    expect(findMatches(foldCase("abc"), "x")).toEqual([]);
  });

  it("keeps offsets right when lower-casing would change the length", () => {
    const text = "İstanbul penicillin";
    expect(foldCase(text)).toHaveLength(text.length);
    const [at] = findMatches(foldCase(text), "PENICILLIN");
    expect(text.slice(at, (at ?? 0) + 10)).toBe("penicillin");
  });
});
