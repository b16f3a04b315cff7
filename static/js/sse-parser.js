// Incremental parser for the text/event-stream format, following the WHATWG HTML spec's
// "event stream interpretation" (https://html.spec.whatwg.org/multipage/server-sent-events.html).
// Pure: no DOM, no network, so Node's test runner imports it as is.
//
// The caller decodes bytes (TextDecoder("utf-8") with {stream: true}, so a multi-byte character
// split across network chunks decodes right) and feeds the text here in any slicing: a line,
// or a CR LF pair, may be split across feeds.
//
//   const parser = new SSEParser((event) => ..., {onRetry: (ms) => ..., onComment: (text) => ...});
//   parser.feed(decoder.decode(bytes, {stream: true}));
//
// Each dispatched event is {type, data, lastEventId}: type defaults to "message", data is the
// data lines joined with "\n", lastEventId is the last `id` field seen so far on this stream.

const LINE_END = /[\r\n]/g;

export class SSEParser {
  /**
   * @param {(event: {type: string, data: string, lastEventId: string}) => void} onEvent
   * @param {{onRetry?: (ms: number) => void, onComment?: (text: string) => void}} [options]
   */
  constructor(onEvent, { onRetry, onComment } = {}) {
    if (typeof onEvent !== "function") throw new TypeError("SSEParser needs an onEvent callback");
    this.onEvent = onEvent;
    this.onRetry = onRetry;
    this.onComment = onComment;
    /** The "last event ID buffer": set by `id` fields, kept across events. */
    this.lastEventId = "";
    this._line = ""; // the unterminated tail of the last feed
    this._data = "";
    this._hasData = false;
    this._type = "";
    this._start = true; // a BOM is stripped only at the very start of the stream
    this._skipLF = false; // the last feed ended in CR: a LF opening the next feed is its pair
  }

  /** Parse another piece of decoded text. */
  feed(text) {
    if (typeof text !== "string" || text.length === 0) return;
    let pos = 0;
    if (this._start) {
      this._start = false;
      if (text.charCodeAt(0) === 0xfeff) pos = 1;
    }
    if (this._skipLF) {
      this._skipLF = false;
      if (text.charCodeAt(pos) === 10) pos += 1;
    }
    LINE_END.lastIndex = pos;
    for (;;) {
      const match = LINE_END.exec(text);
      if (match === null) {
        this._line += text.slice(pos);
        return;
      }
      const end = match.index;
      const line = this._line + text.slice(pos, end);
      this._line = "";
      pos = end + 1;
      if (text.charCodeAt(end) === 13) {
        if (pos === text.length) this._skipLF = true; // CR at the end of this feed: maybe CR LF
        else if (text.charCodeAt(pos) === 10) pos += 1;
      }
      LINE_END.lastIndex = pos;
      this._processLine(line);
    }
  }

  /**
   * Forget a partial line and a partly built event, as the spec does when the connection
   * closes (an event without its closing blank line is never dispatched). lastEventId stays.
   */
  reset() {
    this._line = "";
    this._data = "";
    this._hasData = false;
    this._type = "";
    this._skipLF = false;
    this._start = true;
  }

  _processLine(line) {
    if (line === "") {
      this._dispatch();
      return;
    }
    const colon = line.indexOf(":");
    if (colon === 0) {
      if (this.onComment) this.onComment(line.charCodeAt(1) === 32 ? line.slice(2) : line.slice(1));
      return;
    }
    let field = line;
    let value = "";
    if (colon > 0) {
      field = line.slice(0, colon);
      value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    }
    switch (field) {
      case "event":
        this._type = value;
        break;
      case "data":
        // Appending value + LF and removing the last LF at dispatch, as the spec says.
        this._data += value + "\n";
        this._hasData = true;
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^[0-9]+$/.test(value) && this.onRetry) this.onRetry(parseInt(value, 10));
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  _dispatch() {
    if (!this._hasData) {
      // No data: nothing is dispatched, but an `id` seen in this block has already updated
      // lastEventId (it is not reset here).
      this._type = "";
      return;
    }
    const event = {
      type: this._type || "message",
      data: this._data.slice(0, -1),
      lastEventId: this.lastEventId,
    };
    this._data = "";
    this._hasData = false;
    this._type = "";
    this.onEvent(event);
  }
}
