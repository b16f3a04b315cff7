// node --test static/js/tests/
// Property tests (fast-check): whatever the server frames, SSEParser gives back, however the
// bytes are cut on their way through the network.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SSEParser } from "../sse-parser.js";

// The server's framing, mirrored from documents/streaming.py (Event.to_sse, sse_retry,
// sse_comment). Keep these in step with it: the data line is compact JSON with non-ASCII kept
// as is (json.dumps(ensure_ascii=False, separators=(",", ":")), which JSON.stringify matches),
// and JSON never holds a raw line break, so each event is one id, one event, one data line.
const EVENT_TYPES = ["chunk", "status", "progress", "error", "done"];
const frameEvent = ({ seq, type, data }) =>
  `id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify({ seq, ...data })}\n\n`;
const frameRetry = (ms) => `retry: ${ms}\n\n`;
const frameComment = (text) => `: ${text}\n\n`;

const RUNS = { numRuns: 200, seed: 20240611 }; // fixed seed: the same cases on every run

// Text that is hard on a line-based format: every SSE line ending, leading spaces, colons,
// CJK, emoji (a surrogate pair in a JS string, 4 bytes in UTF-8), empty strings, long runs.
const tricky = fc.constantFrom(
  ...["\n", "\r\n", "\r", "\n\n", " ", "  lead", ":", "data: x"],
  ...["第一章 总则", "😀", "👩‍💻", "", "\u2028"],
);
const text = fc.oneof(
  fc
    .array(fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), tricky), { maxLength: 8 })
    .map((parts) => parts.join("")),
  fc.tuple(fc.constantFrom("概述", "a\r\n", "😀 "), fc.integer({ min: 1000, max: 20000 })).map(([s, n]) => s.repeat(n)),
);
const jsonData = fc.oneof(
  fc.record({ text }),
  fc.dictionary(text.filter((key) => key !== "seq"), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);
const event = fc.record({
  kind: fc.constant("event"),
  seq: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  type: fc.constantFrom(...EVENT_TYPES),
  data: jsonData,
});
// A heartbeat is a comment line: any text without a line break (the server sends "heartbeat").
const comment = fc.record({
  kind: fc.constant("comment"),
  text: fc.string({ unit: "binary", maxLength: 20 }).filter((t) => !/[\r\n]/.test(t)),
});
const stream = fc.record({
  retry: fc.option(fc.nat({ max: 1e9 }), { nil: null }),
  frames: fc.array(fc.oneof(event, comment), { maxLength: 8 }),
});

function wire({ retry, frames }) {
  let out = retry === null ? "" : frameRetry(retry);
  for (const frame of frames) out += frame.kind === "event" ? frameEvent(frame) : frameComment(frame.text);
  return out;
}

function expected({ retry, frames }) {
  return {
    events: frames
      .filter((f) => f.kind === "event")
      .map((f) => ({ type: f.type, data: JSON.stringify({ seq: f.seq, ...f.data }), lastEventId: String(f.seq) })),
    retries: retry === null ? [] : [retry],
    comments: frames.filter((f) => f.kind === "comment").map((f) => f.text),
  };
}

/** Feed each piece of text in turn; what the parser reported. */
function parse(pieces) {
  const seen = { events: [], retries: [], comments: [] };
  const parser = new SSEParser((e) => seen.events.push(e), {
    onRetry: (ms) => seen.retries.push(ms),
    onComment: (t) => seen.comments.push(t),
  });
  for (const piece of pieces) parser.feed(piece);
  return seen;
}

function cut(length, offsets, slice) {
  const pieces = [];
  let start = 0;
  for (const offset of [...new Set(offsets)].sort((a, b) => a - b)) {
    pieces.push(slice(start, offset));
    start = offset;
  }
  pieces.push(slice(start, length));
  return pieces;
}

const withOffsets = (max) => fc.array(fc.nat({ max }), { maxLength: 12 });

test("framed events parse back exactly, with bytes cut anywhere (inside UTF-8 characters too)", () => {
  fc.assert(
    fc.property(
      stream.chain((s) => {
        const bytes = new TextEncoder().encode(wire(s));
        return fc.tuple(fc.constant(s), fc.constant(bytes), withOffsets(bytes.length));
      }),
      ([s, bytes, offsets]) => {
        // As fetch-stream.js does: one streaming decoder, so a character split across network
        // chunks is held until its last byte arrives.
        const decoder = new TextDecoder("utf-8");
        const pieces = cut(bytes.length, offsets, (a, b) => decoder.decode(bytes.subarray(a, b), { stream: true }));
        pieces.push(decoder.decode());
        assert.deepEqual(parse(pieces), expected(s));
      },
    ),
    RUNS,
  );
});

test("framed events parse back exactly, with the text cut at any UTF-16 unit (inside surrogate pairs too)", () => {
  fc.assert(
    fc.property(
      stream.chain((s) => {
        const text = wire(s);
        return fc.tuple(fc.constant(s), fc.constant(text), withOffsets(text.length));
      }),
      ([s, text, offsets]) => {
        assert.deepEqual(parse(cut(text.length, offsets, (a, b) => text.slice(a, b))), expected(s));
      },
    ),
    RUNS,
  );
});

test("a stream fed one character at a time gives the same events as fed whole", () => {
  fc.assert(
    fc.property(stream, (s) => {
      const text = wire(s);
      fc.pre(text.length <= 5000); // the long-text cases are covered by the tests above
      assert.deepEqual(parse([...text]), parse([text]));
    }),
    { ...RUNS, numRuns: 100 },
  );
});
