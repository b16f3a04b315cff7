// node --test static/js/tests/
import { test } from "node:test";
import assert from "node:assert/strict";
import { ops, parseOutline, serializeOutline } from "../outline-editor.js";

const MD = "# 制度\n\n## 第一章 总则\n\n适用于全体员工。\n\n### 适用范围\n\n正式员工。\n\n## 第二章\n\n";

test("parse and serialize round-trip an outline with CJK", () => {
  const outline = parseOutline(MD);
  assert.equal(outline.title, "制度");
  assert.deepEqual(
    outline.sections.map((s) => [s.level, s.title, s.text]),
    [[1, "第一章 总则", "适用于全体员工。"], [2, "适用范围", "正式员工。"], [1, "第二章", ""]],
  );
  assert.equal(serializeOutline(outline), MD);
});

test("headings inside code fences are text", () => {
  const { sections } = parseOutline("# T\n\n## A\n\n```\n## not\n```\n");
  assert.equal(sections.length, 1);
  assert.equal(sections[0].text, "```\n## not\n```");
});

test("move, indent within bounds, add and remove", () => {
  const { sections } = parseOutline(MD);
  assert.deepEqual(ops.move(sections, 2, -1).map((s) => s.title), ["第一章 总则", "第二章", "适用范围"]);
  assert.equal(ops.move(sections, 0, -1), sections);
  assert.deepEqual(ops.moveTo(sections, 0, 2).map((s) => s.title), ["适用范围", "第二章", "第一章 总则"]);
  assert.equal(ops.indent(sections, 0, 1)[0].level, 1, "the first section cannot be indented");
  assert.equal(ops.indent(sections, 2, 1)[2].level, 2);
  assert.equal(ops.indent(sections, 1, 1)[1].level, 2, "at most one level below the previous");
  assert.equal(ops.indent(sections, 1, -1)[1].level, 1);
  assert.deepEqual(ops.add(sections, 0).map((s) => s.title), ["第一章 总则", "New section", "适用范围", "第二章"]);
  assert.deepEqual(ops.remove(sections, 1).map((s) => s.title), ["第一章 总则", "第二章"]);
  assert.equal(sections[1].level, 2, "operations never mutate their input");
});
