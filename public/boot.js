// Loads the wasm app. A separate file, not an inline script, so the CSP can forbid inline code.
import init from '/pkg/egress_frontend.js';

init({ module_or_path: '/pkg/egress_frontend_bg.wasm' }).catch((error) => {
  const loading = document.getElementById('loading');
  if (loading) {
    loading.textContent = `Egress Console could not start: ${error}. Reload the page; if it persists, rebuild with "cargo xtask build".`;
  }
  console.error(error);
});
