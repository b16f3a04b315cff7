// node --test static/js/tests/
import { test } from "node:test";
import assert from "node:assert/strict";
import { SSEParser } from "../sse-parser.js";

/** A parser that records everything; feed(...pieces) feeds each piece in turn. */
function recorder() {
  const events = [];
  const retries = [];
  const comments = [];
  const parser = new SSEParser((e) => events.push(e), {
    onRetry: (ms) => retries.push(ms),
    onComment: (text) => comments.push(text),
  });
  return {
    parser,
    events,
    retries,
    comments,
    feed(...pieces) {
      for (const piece of pieces) parser.feed(piece);
      return events;
    },
  };
}

test("dispatches an event on a blank line, with type, data and id", () => {
  const r = recorder();
  r.feed('id: 1\nevent: chunk\ndata: {"seq": 1, "text": "# Title"}\n\n');
  assert.deepEqual(r.events, [{ type: "chunk", data: '{"seq": 1, "text": "# Title"}', lastEventId: "1" }]);
});

test("nothing is dispatched before the blank line", () => {
  const r = recorder();
  r.feed("id: 1\nevent: chunk\ndata: x\n");
  assert.equal(r.events.length, 0);
  r.feed("\n");
  assert.equal(r.events.length, 1);
});

test("event type defaults to message and resets after each event", () => {
  const r = recorder();
  r.feed("event: status\ndata: a\n\ndata: b\n\n");
  assert.deepEqual(r.events.map((e) => e.type), ["status", "message"]);
});

test("multi-line data is joined with \\n; one trailing \\n is removed", () => {
  const r = recorder();
  r.feed("data: line one\ndata: line two\ndata:\ndata:  indented\n\n");
  assert.equal(r.events[0].data, "line one\nline two\n\n indented");
});

test("an empty data field still dispatches an event with empty data", () => {
  const r = recorder();
  r.feed("data\n\ndata:\n\n");
  assert.deepEqual(r.events.map((e) => e.data), ["", ""]);
});

test("lines end in \\r\\n, \\n or \\r, mixed in one stream", () => {
  const r = recorder();
  r.feed("event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\rdata: 3\n\n");
  assert.deepEqual(
    r.events.map((e) => [e.type, e.data]),
    [["a", "1"], ["b", "2"], ["message", "3"]],
  );
});

test("\\r\\n split across two feeds is one line end, not two", () => {
  const r = recorder();
  // If the \n after the \r were a second line end, "data: 1" would be dispatched alone, and
  // "data: 2" would then be a separate event.
  r.feed("data: 1\r", "\ndata: 2\r", "\n\r", "\n");
  assert.deepEqual(r.events.map((e) => e.data), ["1\n2"]);
});

test("a \\r at the end of one feed followed by a real blank line dispatches", () => {
  const r = recorder();
  r.feed("data: x\r", "\r");
  assert.deepEqual(r.events.map((e) => e.data), ["x"]);
});

test("a lone \\r at the end of a feed followed by a non-\\n keeps the next text", () => {
  const r = recorder();
  r.feed("data: a\r", "data: b\r\r");
  assert.deepEqual(r.events.map((e) => e.data), ["a\nb"]);
});

test("any split of a whole stream gives the same events (every cut point, byte by byte too)", () => {
  const stream =
    "\uFEFFretry: 2000\r\n: heartbeat\r\nid: 1\r\nevent: chunk\r\ndata: {\"seq\":1,\"text\":\"a\\nb\"}\r\n\r\n" +
    "id: 2\revent: progress\rdata: x\rdata: y\r\rid: 3\nevent: done\ndata: {}\n\n";
  const whole = recorder();
  whole.feed(stream);
  assert.equal(whole.events.length, 3);
  for (let cut = 0; cut <= stream.length; cut += 1) {
    const r = recorder();
    r.feed(stream.slice(0, cut), stream.slice(cut));
    assert.deepEqual(r.events, whole.events, `cut at ${cut}`);
    assert.deepEqual(r.retries, [2000], `cut at ${cut}`);
    assert.deepEqual(r.comments, ["heartbeat"], `cut at ${cut}`);
  }
  const single = recorder();
  single.feed(...stream);
  assert.deepEqual(single.events, whole.events);
});

test("lines starting with a colon are comments, not fields", () => {
  const r = recorder();
  r.feed(": heartbeat\n:no space\n:\ndata: x\n: between\n\n");
  assert.deepEqual(r.comments, ["heartbeat", "no space", "", "between"]);
  assert.deepEqual(r.events.map((e) => e.data), ["x"]);
});

test("a stream of only comments dispatches nothing", () => {
  const r = recorder();
  r.feed(": heartbeat\n\n: heartbeat\n\n");
  assert.equal(r.events.length, 0);
  assert.equal(r.comments.length, 2);
});

test("only one leading space after the colon is stripped", () => {
  const r = recorder();
  r.feed("data:no space\n\ndata: one\n\ndata:  two\n\nevent:  spaced\ndata:x\n\n");
  assert.deepEqual(r.events.map((e) => e.data), ["no space", "one", " two", "x"]);
  assert.equal(r.events[3].type, " spaced");
});

test("a value may contain colons; only the first colon splits", () => {
  const r = recorder();
  r.feed('data: {"text": "a: b"}\n\n');
  assert.equal(r.events[0].data, '{"text": "a: b"}');
});

test("a field with no colon is a field name with an empty value", () => {
  const r = recorder();
  r.feed("id: 5\ndata: x\n\nid\ndata\n\n");
  assert.deepEqual(r.events, [
    { type: "message", data: "x", lastEventId: "5" },
    { type: "message", data: "", lastEventId: "" }, // `id` with no value resets the id
  ]);
  const r2 = recorder();
  r2.feed("event\ndata: y\n\n");
  assert.equal(r2.events[0].type, "message");
});

test("unknown fields are ignored; field names are case-sensitive", () => {
  const r = recorder();
  r.feed("foo: bar\nData: nope\nEVENT: nope\ndata: ok\n\n");
  assert.deepEqual(r.events, [{ type: "message", data: "ok", lastEventId: "" }]);
});

test("id persists across events until changed", () => {
  const r = recorder();
  r.feed("id: 7\ndata: a\n\ndata: b\n\nid: 8\ndata: c\n\n");
  assert.deepEqual(r.events.map((e) => e.lastEventId), ["7", "7", "8"]);
  assert.equal(r.parser.lastEventId, "8");
});

test("an id containing NUL is ignored", () => {
  const r = recorder();
  r.feed("id: 3\ndata: a\n\nid: 4\0x\ndata: b\n\n");
  assert.deepEqual(r.events.map((e) => e.lastEventId), ["3", "3"]);
});

test("an event with no data is not dispatched but its id still updates lastEventId", () => {
  const r = recorder();
  r.feed("id: 9\nevent: chunk\n\n");
  assert.equal(r.events.length, 0);
  assert.equal(r.parser.lastEventId, "9");
  // and its event type does not leak into the next event
  r.feed("data: z\n\n");
  assert.deepEqual(r.events, [{ type: "message", data: "z", lastEventId: "9" }]);
});

test("retry accepts ASCII digits only", () => {
  const r = recorder();
  r.feed("retry: 2000\nretry: 15s\nretry: -1\nretry: 1.5\nretry:\nretry: 0\nretry:  300\nretry: ３\n\n");
  assert.deepEqual(r.retries, [2000, 0]);
  assert.equal(r.events.length, 0);
});

test("a BOM at the very start is stripped, even when it arrives alone", () => {
  const r = recorder();
  r.feed("\uFEFFdata: a\n\n");
  assert.equal(r.events[0].data, "a");

  const alone = recorder();
  alone.feed("\uFEFF", "data: a\n\n");
  assert.equal(alone.events[0].data, "a");

  const empty = recorder();
  empty.feed("", "\uFEFFdata: a\n\n");
  assert.equal(empty.events[0].data, "a");
});

test("a BOM later in the stream is kept as content", () => {
  const r = recorder();
  r.feed("data: a\n\n", "\uFEFFdata: b\n\n");
  // "\uFEFFdata" is an unknown field name, so that event has no data
  assert.deepEqual(r.events.map((e) => e.data), ["a"]);
  const inData = recorder();
  inData.feed("data: \uFEFFb\n\n");
  assert.equal(inData.events[0].data, "\uFEFFb");
});

test("an unterminated event is never dispatched, and reset() drops it", () => {
  const r = recorder();
  r.feed("id: 1\ndata: partial");
  assert.equal(r.events.length, 0);
  r.parser.reset();
  r.feed("data: fresh\n\n");
  assert.deepEqual(r.events, [{ type: "message", data: "fresh", lastEventId: "1" }]);
});

test("a UTF-8 CJK string split inside a multi-byte character decodes right in stream mode", () => {
  const text = "大纲：第一章 概述";
  const json = JSON.stringify({ seq: 1, text });
  const bytes = new TextEncoder().encode(`id: 1\nevent: chunk\ndata: ${json}\n\n`);
  // Cut inside the 3-byte encoding of the first CJK character.
  const firstCjk = bytes.indexOf(0xe5);
  assert.ok(firstCjk > 0);
  for (const cut of [firstCjk + 1, firstCjk + 2]) {
    const a = bytes.slice(0, cut);
    const b = bytes.slice(cut);
    assert.ok(a instanceof Uint8Array && b instanceof Uint8Array);
    const decoder = new TextDecoder("utf-8");
    const r = recorder();
    r.feed(decoder.decode(a, { stream: true }));
    r.feed(decoder.decode(b, { stream: true }));
    r.feed(decoder.decode());
    assert.equal(r.events.length, 1);
    assert.equal(JSON.parse(r.events[0].data).text, text);
    assert.ok(!r.events[0].data.includes("\uFFFD"));
  }
  // Without stream mode the split character would be mangled: the test would catch it.
  const naive = new TextDecoder("utf-8").decode(bytes.slice(0, firstCjk + 1));
  assert.ok(naive.includes("\uFFFD"));
});

test("every byte-by-byte split of a CJK + emoji stream decodes right", () => {
  const text = "第二节：方法 🚀 résumé";
  const bytes = new TextEncoder().encode(`data: ${text}\r\n\r\n`);
  const decoder = new TextDecoder("utf-8");
  const r = recorder();
  for (let i = 0; i < bytes.length; i += 1) r.feed(decoder.decode(bytes.subarray(i, i + 1), { stream: true }));
  r.feed(decoder.decode());
  assert.deepEqual(r.events.map((e) => e.data), [text]);
});

test("onComment and onRetry are optional; onEvent is required", () => {
  const events = [];
  const parser = new SSEParser((e) => events.push(e));
  parser.feed("retry: 10\n: hi\ndata: a\n\n");
  assert.equal(events.length, 1);
  assert.throws(() => new SSEParser(), TypeError);
});
