// Reading the original message on screen: an XML indenter and a plain-text search.
// Both are single linear passes with indexOf (no regular expression over the whole text), so a
// 2 MB original, or a malformed one, costs milliseconds and never throws.

/** The text looks like an XML document (possibly after a byte-order mark and whitespace). */
export function looksLikeXml(text: string): boolean {
  let i = 0;
  while (i < text.length && (text[i] === "\uFEFF" || /\s/.test(text[i] ?? ""))) i += 1;
  return text[i] === "<";
}

type Token = { kind: "open" | "close" | "empty" | "other" | "text"; raw: string };

const NAME_START = /[A-Za-z_:]/;

/** The index just past the `>` closing the tag that starts at `lt`, skipping quoted values; -1 if none. */
function tagEnd(s: string, lt: number): number {
  let quote: string | null = null;
  for (let i = lt + 1; i < s.length; i += 1) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ">") {
      return i + 1;
    }
  }
  return -1;
}

function delimited(s: string, from: number, close: string): number {
  const at = s.indexOf(close, from);
  return at === -1 ? -1 : at + close.length;
}

/** Splits XML into tags and text; anything it cannot make sense of stays text. */
export function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let text = "";
  const flush = () => {
    if (text !== "") tokens.push({ kind: "text", raw: text });
    text = "";
  };
  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf("<", i);
    if (lt === -1) {
      text += s.slice(i);
      break;
    }
    text += s.slice(i, lt);
    let end: number;
    let kind: Token["kind"];
    if (s.startsWith("<!--", lt)) {
      end = delimited(s, lt + 4, "-->");
      kind = "other";
    } else if (s.startsWith("<![CDATA[", lt)) {
      end = delimited(s, lt + 9, "]]>");
      kind = "text";
    } else if (s.startsWith("<?", lt)) {
      end = delimited(s, lt + 2, "?>");
      kind = "other";
    } else if (s.startsWith("<!", lt)) {
      end = tagEnd(s, lt);
      kind = "other";
    } else if (s[lt + 1] === "/") {
      end = tagEnd(s, lt);
      kind = "close";
    } else if (NAME_START.test(s[lt + 1] ?? "")) {
      end = tagEnd(s, lt);
      kind = end !== -1 && s[end - 2] === "/" ? "empty" : "open";
    } else {
      // A stray `<` in text (not well-formed, but shown as it is).
      text += "<";
      i = lt + 1;
      continue;
    }
    if (end === -1) {
      // Cut off (a truncated original): the rest is shown as it is.
      text += s.slice(lt);
      break;
    }
    if (kind === "text") {
      text += s.slice(lt, end);
    } else {
      flush();
      tokens.push({ kind, raw: s.slice(lt, end) });
    }
    i = end;
  }
  flush();
  return tokens;
}

const MAX_INDENT = 40;

/**
 * The XML indented two spaces a level, one tag a line; an element holding only a line of text
 * stays on one line (`<code>123</code>`). Whitespace between tags is dropped; text is trimmed.
 * Never throws: unbalanced or cut-off input is indented as far as it goes.
 */
export function prettyXml(xml: string, indent = "  "): string {
  const tokens = tokenize(xml);
  const out: string[] = [];
  let depth = 0;
  const line = (t: string) => out.push(indent.repeat(Math.min(depth, MAX_INDENT)) + t);
  for (let k = 0; k < tokens.length; k += 1) {
    const t = tokens[k] as Token;
    switch (t.kind) {
      case "open": {
        const next = tokens[k + 1];
        const after = tokens[k + 2];
        if (next?.kind === "close") {
          line(t.raw + next.raw);
          k += 1;
        } else if (next?.kind === "text" && after?.kind === "close" && !next.raw.trim().includes("\n")) {
          line(t.raw + next.raw.trim() + after.raw);
          k += 2;
        } else {
          line(t.raw);
          depth += 1;
        }
        break;
      }
      case "close":
        depth = Math.max(0, depth - 1);
        line(t.raw);
        break;
      case "text": {
        const trimmed = t.raw.trim();
        if (trimmed === "") break;
        for (const l of trimmed.split("\n")) {
          const s = l.trim();
          if (s !== "") line(s);
        }
        break;
      }
      default:
        line(t.raw);
    }
  }
  return out.join("\n");
}

/**
 * `text` lower-cased with its length kept, so offsets found in it hold in the original (a few
 * characters, such as "İ", grow when lower-cased: those are folded one by one).
 */
export function foldCase(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let out = "";
  for (const c of text) {
    const l = c.toLowerCase();
    out += l.length === c.length ? l : c;
  }
  return out;
}

/** Where `query` occurs in `folded` (a text passed through foldCase), without overlaps (start offsets). */
export function findMatches(folded: string, query: string): number[] {
  const q = foldCase(query);
  const found: number[] = [];
  if (q === "") return found;
  let at = folded.indexOf(q);
  while (at !== -1) {
    found.push(at);
    at = folded.indexOf(q, at + q.length);
  }
  return found;
}
