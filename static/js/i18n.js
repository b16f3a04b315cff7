// Translations for our modules. base.html loads Django's JavaScript catalog (domain djangojs,
// `{% url 'javascript-catalog' %}`) as a classic script before any module, which defines
// gettext, ngettext and interpolate globally. Without it (the Node tests, a page that lacks the
// catalog) these fall back to English: the msgid itself, with the same interpolation rules.
//
// Strings are looked up when called, not when imported, so the load order of the catalog and
// the modules never freezes a string in the wrong language.

/** The translation of `msgid`. */
export function gettext(msgid) {
  const translate = globalThis.gettext;
  return typeof translate === "function" ? translate(msgid) : msgid;
}

/** The singular or plural translation for `count`. */
export function ngettext(singular, plural, count) {
  const translate = globalThis.ngettext;
  if (typeof translate === "function") return translate(singular, plural, count);
  return count === 1 ? singular : plural;
}

/**
 * Django's interpolate(): `named` true replaces %(name)s from the object `values`, otherwise
 * each %s takes the next item of the array `values`.
 */
export function interpolate(format, values, named = false) {
  const fill = globalThis.interpolate;
  if (typeof fill === "function") return fill(format, values, named);
  if (named) return format.replace(/%\(\w+\)s/g, (match) => String(values[match.slice(2, -2)]));
  const queue = Array.from(values);
  return format.replace(/%s/g, () => String(queue.shift()));
}
