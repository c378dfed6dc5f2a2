// The JSON API of the app, called with the function key the user brought.
// The key arrives once as ?code= in the address (the link `python -m local up` prints), is moved to
// this tab's sessionStorage and removed from the address bar, then sent as x-functions-key.
// Never a cookie: the Functions host does not read one, and a cookie would travel on its own.
// Same-origin cookies still go with each call: with App Service authentication (Entra sign-in) in
// front of the app, its session cookie is what lets these calls through (docs/deploy.md).

const KEY_STORE = "finetune-ui.function-key";
// The page is /api/ui and its modules /api/ui/<name>.js: the API is the folder above.
export const API_BASE = new URL("../", import.meta.url);

export class ApiError extends Error {
  constructor(status, code, message, field = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export function takeKeyFromAddress() {
  const url = new URL(window.location.href);
  if (!url.searchParams.has("code")) return false;
  const code = url.searchParams.get("code");
  if (code) sessionStorage.setItem(KEY_STORE, code);
  url.searchParams.delete("code");
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  return Boolean(code);
}

export const functionKey = () => sessionStorage.getItem(KEY_STORE);
export const setFunctionKey = (key) => sessionStorage.setItem(KEY_STORE, key);
export const forgetFunctionKey = () => sessionStorage.removeItem(KEY_STORE);

const listeners = new Set();
/** Called with the ApiError of every refused key (401), so the page can ask for another. */
export const onKeyRefused = (listener) => listeners.add(listener);

function headers(extra = {}) {
  const key = functionKey();
  return { Accept: "application/json", ...(key ? { "x-functions-key": key } : {}), ...extra };
}

async function send(method, path, body) {
  const init = { method, headers: headers(), cache: "no-store", credentials: "same-origin" };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let answer;
  try {
    answer = await fetch(new URL(path, API_BASE), init);
  } catch (error) {
    throw new ApiError(0, "unreachable", "The app did not answer (is it running?). The page keeps trying.");
  }
  if (answer.status === 401) {
    const refused = new ApiError(401, "unauthorized", functionKey()
      ? "The function key was refused (HTTP 401 Unauthorized)."
      : "This app needs a function key (HTTP 401 Unauthorized).");
    listeners.forEach((listener) => listener(refused));
    throw refused;
  }
  return answer;
}

async function errorOf(answer) {
  let body = null;
  try { body = await answer.json(); } catch (ignored) { /* not JSON: use the status line */ }
  const error = body && body.error;
  if (error && error.message) return new ApiError(answer.status, error.code, error.message, error.field);
  const what = answer.status === 404 ? "this app version does not serve that route" : answer.statusText;
  return new ApiError(answer.status, `http_${answer.status}`, `HTTP ${answer.status}: ${what || "no details"}.`);
}

/** GET or POST a JSON route; resolves to the parsed body, rejects with an ApiError. */
export async function api(method, path, body) {
  const answer = await send(method, path, body);
  if (!answer.ok) throw await errorOf(answer);
  const text = await answer.text();
  return text ? JSON.parse(text) : null;
}

/** GET a route as a Blob (report files: CSV, SVG, JSON). */
export async function apiBlob(path) {
  const answer = await send("GET", path);
  if (!answer.ok) throw await errorOf(answer);
  return answer.blob();
}

export const runPath = (id, rest = "") => `finetune/${encodeURIComponent(id)}${rest}`;
