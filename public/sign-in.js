// Returns to the page that asked for sign-in. A file, not inline code, so the CSP can forbid
// inline scripts; the server only follows paths on this site.
const next = new URLSearchParams(window.location.search).get('next');
if (next) {
  document.getElementById('next').value = next;
}
