// Structured outline editor: turns the Markdown textarea of the edit page into a list of
// sections that can be renamed, added, deleted, indented/outdented and reordered, with the
// keyboard (Alt+↑/↓ move, Alt+←/→ outdent/indent, Alt+Enter add below, Alt+Backspace delete)
// or by dragging. The textarea stays the form field and the source of truth: every change is
// written back to it (and fires "input", so the HTMX live preview follows). Without
// JavaScript the page is the plain textarea.

import { gettext, interpolate } from "./i18n.js";

const HEADING = /^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$/;

/** Markdown -> {title, sections: [{level, title, text}]} (`#` title, `##` = level 1 …). */
export function parseOutline(markdown) {
  let title = "";
  const sections = [];
  let body = [];
  let fence = false;
  const close = () => {
    if (sections.length) sections[sections.length - 1].text = body.join("\n").trim();
    body = [];
  };
  for (const line of markdown.replace(/\r\n?/g, "\n").split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const match = fence ? null : HEADING.exec(line);
    if (!match) {
      body.push(line);
      continue;
    }
    if (match[1].length === 1 && !title && !sections.length) {
      title = match[2];
      body = [];
      continue;
    }
    close();
    sections.push({ level: Math.max(match[1].length - 1, 1), title: match[2], text: "" });
  }
  close();
  return { title, sections };
}

/** The inverse of parseOutline. */
export function serializeOutline({ title, sections }) {
  let out = `# ${title}\n\n`;
  for (const s of sections) {
    out += `${"#".repeat(Math.min(s.level + 1, 6))} ${s.title.trim() || gettext("Untitled")}\n\n`;
    if (s.text.trim()) out += `${s.text.trim()}\n\n`;
  }
  return out;
}

/** Pure edit operations on the section list (each returns a new list). */
export const ops = {
  move(sections, index, delta) {
    const to = index + delta;
    if (to < 0 || to >= sections.length) return sections;
    const next = sections.slice();
    const [item] = next.splice(index, 1);
    next.splice(to, 0, item);
    return next;
  },
  moveTo(sections, from, to) {
    if (from === to) return sections;
    const next = sections.slice();
    const [item] = next.splice(from, 1);
    next.splice(to, 0, item);
    return next;
  },
  indent(sections, index, delta) {
    const next = sections.map((s) => ({ ...s }));
    // A section can sit at most one level below the one before it.
    const max = index === 0 ? 1 : next[index - 1].level + 1;
    next[index].level = Math.min(Math.max(next[index].level + delta, 1), Math.min(max, 5));
    return next;
  },
  add(sections, index) {
    const level = sections[index]?.level ?? 1;
    const next = sections.slice();
    next.splice(index + 1, 0, { level, title: gettext("New section"), text: "" });
    return next;
  },
  remove(sections, index) {
    return sections.filter((_, i) => i !== index);
  },
};

function button(label, title, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.title = title;
  b.setAttribute("aria-label", title);
  b.className =
    // Big enough to tap (36 px) and readable in both themes (was 12 px, 3.07:1 in dark mode).
    "inline-flex min-h-9 min-w-9 items-center justify-center rounded text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-300 dark:hover:bg-slate-700 dark:hover:text-white";
  b.addEventListener("click", onClick);
  return b;
}

export function bindOutlineEditor(textarea) {
  if (textarea.dataset.structuredBound) return;
  textarea.dataset.structuredBound = "";
  let state = parseOutline(textarea.value);
  const list = document.createElement("ol");
  list.className = "space-y-2";
  list.dataset.testid = "section-editor";
  textarea.before(list);
  const toggle = document.createElement("details");
  const summary = document.createElement("summary");
  summary.className = "cursor-pointer text-xs text-slate-600 dark:text-slate-400";
  summary.textContent = gettext("Markdown");
  toggle.append(summary);
  textarea.replaceWith(toggle);
  toggle.append(textarea);
  toggle.before(list);

  // The Markdown the list shows: the list is rebuilt only when the textarea holds another.
  let synced = textarea.value;

  function write() {
    textarea.value = synced = serializeOutline(state);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function commit(sections, focus) {
    state = { ...state, sections };
    write();
    render(focus);
  }

  function update(index, changes) {
    state = { ...state, sections: state.sections.map((s, i) => (i === index ? { ...s, ...changes } : s)) };
    write();
  }

  function render(focus) {
    list.replaceChildren(
      ...state.sections.map((section, index) => {
        const item = document.createElement("li");
        item.draggable = true;
        item.dataset.index = String(index);
        item.dataset.testid = "section-item";
        item.style.marginLeft = `${(section.level - 1) * 1.5}rem`;
        item.className =
          "rounded-md border border-slate-200 bg-white p-2 dark:border-slate-700 dark:bg-slate-800";
        const row = document.createElement("div");
        row.className = "flex flex-wrap items-center gap-1"; // on a phone the buttons go under the title
        const handle = document.createElement("span");
        handle.textContent = "⠿";
        handle.className = "cursor-grab select-none px-1 text-slate-500 dark:text-slate-400";
        handle.setAttribute("aria-hidden", "true");
        const title = document.createElement("input");
        title.type = "text";
        title.value = section.title;
        title.setAttribute("aria-label", interpolate(gettext("Section %(n)s title"), { n: index + 1 }, true));
        title.className = "min-w-[12rem] flex-1";
        // Typing updates the Markdown (and the preview) without rebuilding the list, so focus
        // and the caret stay where they are.
        title.addEventListener("input", () => update(index, { title: title.value }));
        row.append(
          handle,
          title,
          button("↑", gettext("Move up (Alt+↑)"), () => commit(ops.move(state.sections, index, -1), { index: index - 1 })),
          button("↓", gettext("Move down (Alt+↓)"), () => commit(ops.move(state.sections, index, 1), { index: index + 1 })),
          button("←", gettext("Outdent (Alt+←)"), () => commit(ops.indent(state.sections, index, -1), { index })),
          button("→", gettext("Indent (Alt+→)"), () => commit(ops.indent(state.sections, index, 1), { index })),
          button("+", gettext("Add a section below (Alt+Enter)"), () => commit(ops.add(state.sections, index), { index: index + 1 })),
          button("✕", gettext("Delete section (Alt+Backspace)"), () => commit(ops.remove(state.sections, index), { index: index - 1 })),
        );
        const text = document.createElement("textarea");
        text.rows = 2;
        text.value = section.text;
        text.setAttribute("aria-label", interpolate(gettext("Section %(n)s text"), { n: index + 1 }, true));
        text.className =
          "mt-1 block w-full rounded border border-slate-200 bg-transparent p-1 text-sm dark:border-slate-700";
        text.addEventListener("input", () => update(index, { text: text.value }));
        item.append(row, text);

        item.addEventListener("keydown", (event) => {
          if (!event.altKey) return;
          const actions = {
            ArrowUp: () => commit(ops.move(state.sections, index, -1), { index: Math.max(index - 1, 0) }),
            ArrowDown: () =>
              commit(ops.move(state.sections, index, 1), { index: Math.min(index + 1, state.sections.length - 1) }),
            ArrowLeft: () => commit(ops.indent(state.sections, index, -1), { index }),
            ArrowRight: () => commit(ops.indent(state.sections, index, 1), { index }),
            Enter: () => commit(ops.add(state.sections, index), { index: index + 1 }),
            Backspace: () => commit(ops.remove(state.sections, index), { index: Math.max(index - 1, 0) }),
          };
          const action = actions[event.key];
          if (action) {
            event.preventDefault();
            action();
          }
        });
        item.addEventListener("dragstart", (event) => {
          event.dataTransfer.setData("text/plain", String(index));
          event.dataTransfer.effectAllowed = "move";
        });
        item.addEventListener("dragover", (event) => event.preventDefault());
        item.addEventListener("drop", (event) => {
          event.preventDefault();
          const from = Number(event.dataTransfer.getData("text/plain"));
          if (!Number.isNaN(from)) commit(ops.moveTo(state.sections, from, index), { index });
        });
        return item;
      }),
    );
    if (focus && focus.index >= 0) {
      const item = list.children[focus.index];
      item?.querySelector(focus.field === "text" ? "textarea" : "input")?.focus();
    }
  }

  // Typing in the Markdown itself wins: the list is rebuilt from it as it is typed. (It was
  // rebuilt on "change", at the blur of a click on Save: the list grew, Save moved down under
  // the pointer, and the click was lost.)
  const rebuild = () => {
    if (textarea.value === synced) return;
    synced = textarea.value;
    state = parseOutline(textarea.value);
    render();
  };
  textarea.addEventListener("input", rebuild);
  textarea.addEventListener("change", rebuild);
  render();
}

if (typeof document !== "undefined") {
  document.querySelectorAll("textarea[data-outline-editor]").forEach(bindOutlineEditor);
}
