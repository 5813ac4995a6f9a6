// The Markdown editor's enhancements: a formatting toolbar whose buttons write Markdown into
// the textarea, and the live preview (htmx, driven by the textarea's own hx- attributes), which
// makes the no-JavaScript "Preview" button unnecessary. The toolbar follows the ARIA toolbar
// pattern: one Tab stop, the arrow keys (and Home, End) move between its buttons.
(() => {
  "use strict";

  // Replaces start..end with text, keeping the browser's undo history where it can, then
  // selects selectFrom..selectTo within the inserted text.
  const replace = (area, start, end, text, selectFrom, selectTo) => {
    area.focus();
    area.setSelectionRange(start, end);
    let done = false;
    try {
      done = document.execCommand("insertText", false, text);
    } catch (error) {
      done = false;
    }
    if (!done || area.value.slice(start, start + text.length) !== text) {
      area.setRangeText(text, start, end, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
    area.setSelectionRange(start + selectFrom, start + selectTo);
  };

  const wrap = (area, before, after, placeholder) => {
    const { selectionStart: start, selectionEnd: end, value } = area;
    const words = value.slice(start, end) || placeholder;
    replace(area, start, end, before + words + after, before.length, before.length + words.length);
  };

  const link = (area) => {
    const { selectionStart: start, selectionEnd: end, value } = area;
    const words = value.slice(start, end) || "link text";
    const address = "https://";
    const text = `[${words}](${address})`;
    // The address is what is left to type: select it.
    replace(area, start, end, text, words.length + 3, words.length + 3 + address.length);
  };

  // Puts a marker before each selected line (or takes it away when every line has it).
  const lines = (area, marker, placeholder) => {
    const { selectionStart: start, value } = area;
    let end = area.selectionEnd;
    if (end > start && value.charAt(end - 1) === "\n") end -= 1;
    const from = value.lastIndexOf("\n", start - 1) + 1;
    const newline = value.indexOf("\n", end);
    const to = newline === -1 ? value.length : newline;
    const block = value.slice(from, to).split("\n");
    const pattern = marker.pattern;
    const marked = block.every((line) => pattern.test(line));
    let text;
    if (marked) {
      text = block.map((line) => line.replace(pattern, "")).join("\n");
      replace(area, from, to, text, 0, text.length);
      return;
    }
    if (block.length === 1 && block[0].trim() === "") {
      const prefix = marker.prefix(0);
      text = prefix + placeholder;
      replace(area, from, to, text, prefix.length, text.length);
      return;
    }
    text = block.map((line, index) => marker.prefix(index) + line).join("\n");
    replace(area, from, to, text, 0, text.length);
  };

  const escaped = (text) => text.replace(/[.*+?^$()|[\]\\{}]/g, "\\$&");
  const fixed = (prefix) => ({ prefix: () => prefix, pattern: new RegExp("^" + escaped(prefix)) });

  const ACTIONS = {
    bold: (area) => wrap(area, "**", "**", "bold text"),
    italic: (area) => wrap(area, "_", "_", "italic text"),
    heading: (area) => lines(area, fixed("## "), "Heading"),
    bullets: (area) => lines(area, fixed("- "), "List item"),
    numbers: (area) => lines(area, { prefix: (index) => `${index + 1}. `, pattern: /^\d+\. / }, "List item"),
    link,
    quote: (area) => lines(area, fixed("> "), "Quotation"),
  };

  const rove = (toolbar, buttons, to) => {
    buttons.forEach((button) => { button.tabIndex = button === to ? 0 : -1; });
    to.focus();
  };

  const enhance = (editor) => {
    const area = editor.querySelector("[data-markdown-text]");
    const toolbar = editor.querySelector("[data-markdown-toolbar]");
    if (!area || !toolbar) return;
    const buttons = Array.from(toolbar.querySelectorAll("[data-markdown-action]"));
    toolbar.hidden = false;
    // The preview follows the typing, so the no-JavaScript button has nothing left to do.
    const previewButton = editor.querySelector("[data-markdown-preview-button]");
    if (previewButton && window.htmx) {
      previewButton.hidden = true;
      previewButton.type = "button";
    }

    buttons.forEach((button) => {
      button.addEventListener("click", () => {
        buttons.forEach((other) => { other.tabIndex = other === button ? 0 : -1; });
        ACTIONS[button.dataset.markdownAction](area);
      });
    });
    toolbar.addEventListener("keydown", (event) => {
      const at = buttons.indexOf(document.activeElement);
      if (at === -1) return;
      const next = {
        ArrowRight: (at + 1) % buttons.length,
        ArrowLeft: (at - 1 + buttons.length) % buttons.length,
        Home: 0,
        End: buttons.length - 1,
      }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      rove(toolbar, buttons, buttons[next]);
    });
    // The usual shortcuts for the two commonest marks.
    area.addEventListener("keydown", (event) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      const key = event.key.toLowerCase();
      if (key === "b" || key === "i") {
        event.preventDefault();
        ACTIONS[key === "b" ? "bold" : "italic"](area);
      }
    });
  };

  const start = () => document.querySelectorAll("[data-markdown-editor]").forEach(enhance);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
