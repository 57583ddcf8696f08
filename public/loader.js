// Starts the dashboard without any inline script, so a strict Content-Security-Policy
// (`script-src 'self'`) holds. The built index.html names the hashed JS glue and wasm in
// this script tag's data attributes; they are resolved relative to this file, so the same
// tag works in an embedding page on another origin or path.
const tag = document.querySelector('script[data-sld-loader]');
const here = import.meta.url;

async function start() {
  if (!tag || !tag.dataset.js || !tag.dataset.wasm) {
    throw new Error('loader.js needs data-js and data-wasm attributes (copy the tag from index.html)');
  }
  const glue = await import(new URL(tag.dataset.js, here).href);
  await glue.default({ module_or_path: new URL(tag.dataset.wasm, here).href });
}

start().catch((err) => {
  const mount = document.querySelector('[data-scalingo-logs]') || document.body;
  const box = document.createElement('p');
  box.setAttribute('role', 'alert');
  box.textContent = 'The dashboard could not start: ' + (err && err.message ? err.message : err);
  mount.appendChild(box);
  console.error(err);
});
