// Keeps, in a vendored stylesheet, only the rules whose selectors the platform's mark-up can use.
// Run by scripts/vendor_static.sh:  node assets/purge-css.cjs <repo root> <css file>...  (in place)
//
// Scanned for class names: every template (templates/ and any app's templates/), the platform's
// scripts (static/js/), and the Python files that write class names into mark-up (form widgets,
// template tags, cssr/text.py...: any app module saying `class="` or `"class"`). The Django admin
// has its own stylesheets and is left out. Kept whatever the scan finds: what Bootstrap's own
// scripts add while a page runs, and the families of classes the templates build from pieces
// (`alert-{{ message.tags }}`, `alert-{% if ... %}danger{% else %}info{% endif %}`).
"use strict";

const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const { PurgeCSS } = require("purgecss");

const [root, ...files] = process.argv.slice(2);
if (!root || files.length === 0) {
  console.error("usage: node purge-css.cjs <repo root> <css file>...");
  process.exit(2);
}

const APPS = ["accounts", "chat", "cssr", "documents", "events", "workgroups"];

function pythonWithClasses() {
  // git grep would miss files not yet committed; plain grep over the apps' sources.
  let out = "";
  try {
    out = execFileSync(
      "grep",
      ["-rlE", "--include=*.py", "--exclude-dir=migrations", "--exclude-dir=admin", 'class="|"class"', ...APPS],
      { cwd: root, encoding: "utf8" },
    );
  } catch (error) {
    if (error.status !== 1) throw error; // 1: nothing found
  }
  return out.split("\n").filter(Boolean).sort().map((file) => path.join(root, file));
}

function filesUnder(folder, extension, recursive = true) {
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return recursive ? filesUnder(full, extension) : [];
    return entry.name.endsWith(extension) ? [full] : [];
  });
}

const content = [
  ...filesUnder(path.join(root, "templates"), ".html"),
  ...APPS.flatMap((app) => filesUnder(path.join(root, app, "templates"), ".html")),
  ...filesUnder(path.join(root, "static", "js"), ".js", false),
  ...pythonWithClasses(),
].sort();

const safelist = {
  standard: [
    // Bootstrap's scripts (collapse, alerts, modals, dropdowns, tooltips) and form validation
    "show", "showing", "hiding", "collapsing", "collapse", "collapse-horizontal", "fade",
    "modal-open", "modal-backdrop", "modal-static", "offcanvas-backdrop", "dropdown-menu-end",
    "active", "disabled", "was-validated", "is-invalid", "is-valid", "tooltip", "popover",
    // the families the templates build from pieces
    /^alert-/,
  ],
  greedy: [/data-bs-/, /^bs-tooltip/, /^bs-popover/],
};

// Every class name of Bootstrap's stylesheet, and whether the scanned files name it (PurgeCSS's own
// default extractor: runs of letters, digits, `_` and `-`). Written to assets/bootstrap-classes.txt,
// which tests/test_vendor_css.py compares with the templates of the day: a template that starts using
// a Bootstrap class the purge dropped fails it until this script runs again.
function classList(css) {
  const tokens = new Set();
  for (const file of content) {
    for (const token of fs.readFileSync(file, "utf8").match(/[A-Za-z0-9_-]+/g) || []) tokens.add(token);
  }
  const names = [...new Set(css.match(/\.-?[_a-zA-Z][\w-]*/g).map((name) => name.slice(1)))].sort();
  return names.map((name) => `${name}\t${tokens.has(name) ? "used" : "unused"}`).join("\n") + "\n";
}

(async () => {
  const classes = classList(fs.readFileSync(files[0], "utf8"));
  fs.writeFileSync(path.join(root, "assets", "bootstrap-classes.txt"), classes);
  for (const file of files) {
    const css = fs.readFileSync(file, "utf8");
    const [result] = await new PurgeCSS().purge({
      content,
      css: [{ raw: css }],
      safelist,
      // custom properties, @keyframes and @font-face stay: pages and cssr.css read the variables
      variables: false,
      keyframes: false,
      fontFace: false,
    });
    fs.writeFileSync(file, result.css);
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
