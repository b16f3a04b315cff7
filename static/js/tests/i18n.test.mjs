// node --test static/js/tests/
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { gettext, ngettext, interpolate } from "../i18n.js";

afterEach(() => {
  delete globalThis.gettext;
  delete globalThis.ngettext;
  delete globalThis.interpolate;
});

test("without Django's catalog, strings stay English", () => {
  assert.equal(gettext("Outline ready"), "Outline ready");
  assert.equal(ngettext("%(n)s section", "%(n)s sections", 1), "%(n)s section");
  assert.equal(ngettext("%(n)s section", "%(n)s sections", 2), "%(n)s sections");
  assert.equal(ngettext("%(n)s section", "%(n)s sections", 0), "%(n)s sections");
});

test("the fallback interpolate fills named and positional placeholders like Django's", () => {
  assert.equal(
    interpolate("Section %(n)s of %(total)s: %(section)s", { n: 2, total: 5, section: "市场分析" }, true),
    "Section 2 of 5: 市场分析",
  );
  assert.equal(interpolate("%s of %s", [1, 3]), "1 of 3");
  // A value that looks like a placeholder is inserted as text, never expanded again.
  assert.equal(interpolate("%(a)s and %(b)s", { a: "%(b)s", b: "B" }, true), "%(b)s and B");
});

test("with the catalog loaded, the catalog's functions are used at call time", () => {
  assert.equal(gettext("Outline ready"), "Outline ready");
  globalThis.gettext = (msgid) => ({ "Outline ready": "大纲已生成" })[msgid] ?? msgid;
  globalThis.ngettext = (singular, plural, count) => `${count}:${singular}`;
  globalThis.interpolate = (format, values, named) => `${format}|${JSON.stringify(values)}|${named}`;
  assert.equal(gettext("Outline ready"), "大纲已生成");
  assert.equal(gettext("Not in the catalog"), "Not in the catalog");
  assert.equal(ngettext("a", "b", 3), "3:a");
  assert.equal(interpolate("%(n)s", { n: 1 }, true), '%(n)s|{"n":1}|true');
});
