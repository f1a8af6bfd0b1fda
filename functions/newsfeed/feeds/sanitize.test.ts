import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cleanText, decodeEntities, escapeHtml, htmlToText, LINK_REL, sanitizeHtml } from "./sanitize.ts";

const BASE = "https://example.com/blog/post/";
const REL = `rel="${LINK_REL}"`;

describe("sanitizeHtml", () => {
  it("keeps the allowlisted formatting and drops every attribute not listed", () => {
    expect(
      sanitizeHtml(`<p onclick="x()" class="c" style="color:red" id="i">Hi <b>there</b></p>`, BASE),
    ).toBe("<p>Hi <b>there</b></p>");
    const rich =
      "<h2>T</h2><ul><li>a</li></ul><ol><li>b</li></ol><blockquote>q</blockquote><pre><code>c</code></pre>" +
      "<em>e</em><strong>s</strong><i>i</i><u>u</u><s>x</s><sub>1</sub><sup>2</sup><hr /><dl><dt>t</dt><dd>d</dd></dl>";
    expect(sanitizeHtml(rich, BASE)).toBe(rich);
  });

  it("keeps tables with spans, but only numeric ones", () => {
    expect(
      sanitizeHtml(
        `<table><tr><th scope="col">h</th><td colspan="2" rowspan="x" onmouseover="x">c</td></tr></table>`,
        BASE,
      ),
    ).toBe(`<table><tr><th scope="col">h</th><td colspan="2">c</td></tr></table>`);
    expect(sanitizeHtml(`<th scope="evil">h</th>`, BASE)).toBe("<th>h</th>");
  });

  it("removes script, style, iframe, object, embed and svg together with their content", () => {
    const html =
      `<script>alert(1)</script><style>p{}</style><iframe src="https://x/">in</iframe>` +
      `<object data="x">o</object><embed src="x"><svg><a>s</a></svg><noscript>n</noscript>after`;
    expect(sanitizeHtml(html, BASE)).toBe("after");
  });

  it("strips tags it does not know but keeps their text", () => {
    expect(sanitizeHtml(`<font face="x">old</font> <marquee>news</marquee>`, BASE)).toBe("old news");
  });

  it("resolves links, allows only http/https/mailto, and marks them noopener noreferrer nofollow", () => {
    expect(sanitizeHtml(`<a href="../other?a=1&amp;b=2" target="_blank" rel="opener">o</a>`, BASE)).toBe(
      `<a href="https://example.com/blog/other?a=1&amp;b=2" ${REL}>o</a>`,
    );
    expect(sanitizeHtml(`<a href="mailto:me@example.com">m</a>`, BASE)).toBe(
      `<a href="mailto:me@example.com" ${REL}>m</a>`,
    );
    for (const href of [
      "javascript:alert(1)",
      " JaVaScRiPt:alert(1)",
      "&#106;avascript:alert(1)",
      "java&#x09;script:alert(1)",
      "data:text/html,<script>x</script>",
      "vbscript:x",
    ]) {
      expect(sanitizeHtml(`<a href="${href}">j</a>`, BASE)).toBe("<a>j</a>");
    }
  });

  it("drops a relative URL when there is no base to resolve it against", () => {
    expect(sanitizeHtml(`<a href="/x">x</a><img src="i.png">`, null)).toBe("<a>x</a><img>");
  });

  it("allows images from http(s) only, with alt/title/size", () => {
    expect(
      sanitizeHtml(`<img src="/i.png" onerror="x()" alt="a &amp; b" width="10" height="abc">`, BASE),
    ).toBe(`<img src="https://example.com/i.png" alt="a &amp; b" width="10">`);
    expect(
      sanitizeHtml(`<img src="data:image/png;base64,AAA"><IMG SRC="javascript:alert('XSS')">`, BASE),
    ).toBe("<img><img>");
  });

  it("escapes attribute values it keeps", () => {
    expect(sanitizeHtml(`<abbr title='he said "hi" <b>'>q</abbr>`, BASE)).toBe(
      `<abbr title="he said &quot;hi&quot; &lt;b&gt;">q</abbr>`,
    );
  });

  it("closes what is left open and drops closing tags that close nothing", () => {
    expect(sanitizeHtml("<b><i>unclosed", BASE)).toBe("<b><i>unclosed</i></b>");
    expect(sanitizeHtml("</b>stray<i>x</b>y", BASE)).toBe("stray<i>xy</i>");
    expect(sanitizeHtml("<div><p>a</div>b", BASE)).toBe("<div><p>a</p></div>b");
    expect(sanitizeHtml("a<br>b<br/>c", BASE)).toBe("a<br>b<br />c");
  });

  it("removes comments and treats a lone < as text", () => {
    expect(sanitizeHtml("<!-- secret -->1 < 2 and 3 > 2", BASE)).toBe("1 &lt; 2 and 3 &gt; 2");
  });

  it("bounds tags js-xss would take quadratic time over: whitespace collapsed, then attributes dropped", () => {
    const indented = `<a\n${"          \n".repeat(10)}href="http://x/"\n          title="t">x</a>`;
    expect(sanitizeHtml(indented, BASE)).toBe(`<a href="http://x/" ${REL} title="t">x</a>`);
    expect(sanitizeHtml(`<a href="http://x/"${' x="1"'.repeat(100_000)}>t</a>`, BASE)).toBe("<a>t</a>");
    expect(sanitizeHtml(`<p>a<b${" x".repeat(100_000)}`, BASE)).toBe("<p>a</p>"); // an unfinished tag is dropped
    const words = "w ".repeat(200).trim();
    expect(sanitizeHtml(`<abbr title="${words}">a</abbr>`, BASE)).toBe(`<abbr title="${words}">a</abbr>`);
    expect(htmlToText(`x<span${" y".repeat(100_000)}>z</span>`)).toBe("xz");
  });

  it("never lets script, event handlers or javascript: URLs through (property)", () => {
    const piece = fc.constantFrom(
      "<script>",
      "</script>",
      "<a href='javascript:x'>",
      '<img src="x" onerror="y">',
      "<p onclick=z>",
      "<iframe>",
      "<svg onload=x>",
      "<b>",
      "</b>",
      "<",
      ">",
      '"',
      "'",
      "=",
      " ",
      "text",
      "&lt;script&gt;",
      "<style>",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const out = sanitizeHtml(pieces.join(""), BASE);
        // Every `<` left in the output opens an allowed tag (text is escaped), so inspect the tags.
        for (const tag of out.match(/<[^>]*>?/g) ?? []) {
          expect(tag).toMatch(/^<\/?(a|b|p|img)[\s>/]/);
          expect(tag).not.toMatch(/javascript:|\son\w+\s*=/i);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe("htmlToText", () => {
  it("strips tags, decodes entities, collapses whitespace", () => {
    expect(htmlToText("<p>a</p><p>b</p>")).toBe("a b");
    expect(htmlToText("a <b>bold</b>\n\n  move")).toBe("a bold move");
    expect(htmlToText("AT&T &amp; &eacute;&#8217;&#146; &bogus;")).toBe("AT&T & é’’ &bogus;");
    expect(htmlToText("x<script>bad()</script><style>p{}</style>y")).toBe("xy");
    expect(htmlToText("1 < 2")).toBe("1 < 2");
    expect(htmlToText("History of the &lt;blink&gt; tag")).toBe("History of the <blink> tag");
  });
});

describe("decodeEntities", () => {
  it("decodes named, decimal and hex references", () => {
    expect(decodeEntities("&lt;&gt;&amp;&quot;&apos;&nbsp;&copy;&hellip;&#65;&#x42;&#X43;")).toBe(
      "<>&\"'\u00a0©…ABC",
    );
    expect(decodeEntities("&#128512;")).toBe("😀");
  });

  it("reads 128–159 as windows-1252 and replaces invalid code points", () => {
    expect(decodeEntities("&#150;&#147;")).toBe("–“");
    expect(decodeEntities("&#0;&#xD800;&#x110000;")).toBe("\ufffd\ufffd\ufffd");
  });

  it("leaves unknown names and text without references alone", () => {
    expect(decodeEntities("&unknown; &amp no semicolon; plain")).toBe("&unknown; &amp no semicolon; plain");
    expect(decodeEntities("&constructor; &__proto__;")).toBe("&constructor; &__proto__;");
  });
});

describe("escapeHtml and cleanText", () => {
  it("escapes the HTML specials", () => {
    expect(escapeHtml(`<a href="x">&</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
  });

  it("drops control characters and collapses whitespace", () => {
    expect(cleanText(" a\u0000b\u0007\t\n c\u007f ")).toBe("ab c");
  });
});
